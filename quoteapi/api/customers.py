"""Personal data for the admins (KVKK and GDPR): everything stored about one person, and its erasure."""

from __future__ import annotations

from ..domain.personal_data import Person
from ..interface.schemas.customers import CustomerDataSchema, CustomerQuerySchema, ErasureRequestSchema, ErasureSchema
from ..services import personal_data
from .auth import current_user
from .openapi import Blueprint
from .responses import services

blp = Blueprint(
    "customers",
    __name__,
    url_prefix="/api/v1/admin",
    description="Personal data, for the admin role: export everything stored about a person, or erase it.",
)

# Personal data is never kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_HEADER = {"Cache-Control": {"description": "no-store: personal data.", "schema": {"type": "string"}}}


@blp.route("/customers")
@blp.requires("admin")
@blp.arguments(CustomerQuerySchema(unknown="exclude"), location="query")
@blp.response(200, CustomerDataSchema, headers=NO_STORE_HEADER)
def get_customer(identifier: dict):
    """Everything stored about one person, found by e-mail or phone: their quotes with customer fields,
    notes, consents, and every revision with the health answers it was priced from."""
    return personal_data.find_customer(services(), Person(**identifier)), NO_STORE


@blp.route("/customers/erase", methods=["POST"])
@blp.requires("admin")
@blp.arguments(ErasureRequestSchema())
@blp.response(200, ErasureSchema, headers=NO_STORE_HEADER)
def erase_customer(identifier: dict):
    """Replace one person's personal data wherever it is stored with a placeholder; numbers, amounts and
    dates stay. Safe to repeat: the second time changes 0 quotes."""
    return personal_data.erase_customer(services(), Person(**identifier), by=current_user().name), NO_STORE
