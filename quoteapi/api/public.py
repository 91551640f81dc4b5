"""The public API the website calls: no auth, CORS, rate limited per address."""

from __future__ import annotations


from ..extensions import limiter, public_rate_limit
from ..schemas import (
    CatalogQuerySchema,
    CatalogSchema,
    ClinicSummarySchema,
    EstimateRequestSchema,
    EstimateSchema,
)
from ..services import catalog as catalog_service
from ..services.estimates import estimate, estimate_to_dict
from .common import json_response, state, today
from .openapi import Blueprint

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/api/v1",
    description="What the website's price estimator needs; no token required.",
)

# One budget per client address, shared by every public endpoint.
public_limit = limiter.shared_limit(public_rate_limit, scope="public")


@blp.route("/clinics")
@public_limit
@blp.response(200, ClinicSummarySchema(many=True))
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def list_clinics():
    """The clinics of the current price list."""
    return json_response(catalog_service.clinics(state().price_lists.current()))


@blp.route("/catalog")
@public_limit
@blp.arguments(CatalogQuerySchema(unknown="exclude"), location="query", as_kwargs=True)
@blp.response(200, CatalogSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def get_catalog(clinic: str):
    """Areas, products, levels, tiers and today's campaigns, priced for one clinic."""
    return json_response(catalog_service.catalog(state().price_lists.current(), clinic, today()))


@blp.route("/estimates", methods=["POST"])
@public_limit
@blp.arguments(EstimateRequestSchema)
@blp.response(200, EstimateSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_estimate(body: dict):
    """Price a course of sessions; nothing is stored."""
    result = estimate(state().price_lists.current(), body, today())
    return json_response(estimate_to_dict(result))
