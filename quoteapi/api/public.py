"""The public API the website calls: no auth, CORS, rate limited per address."""

from __future__ import annotations

from ..domain.pricing.plain import estimate_to_plain
from ..services import catalog as catalogs
from ..services import estimates, quotes
from . import i18n
from .limits import limiter, public_rate_limit
from .openapi import Blueprint
from .quotes import IDEMPOTENCY_KEY, create_command
from .responses import json_response, services
from .schemas.catalog import CatalogQuerySchema, CatalogSchema, ClinicSummarySchema
from .schemas.estimates import EstimateRequestSchema, EstimateSchema, estimate_request
from .schemas.quotes import QuoteRequestAnswerSchema, QuoteRequestSchema

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/api/v1",
    description="What the website's price estimator needs, and its quote requests; no token required.",
)

# One budget per client address for the whole blueprint: checked once per
# request, before the view (a per-view decorator would check twice).
limiter.shared_limit(public_rate_limit, scope="public")(blp)


@blp.route("/clinics")
@blp.response(200, ClinicSummarySchema(many=True))
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def list_clinics():
    """The clinics of the current price list."""
    return catalogs.clinics(services())


@blp.route("/catalog")
@blp.arguments(CatalogQuerySchema(unknown="exclude"), location="query", as_kwargs=True)
@blp.response(200, CatalogSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def get_catalog(clinic: str):
    """Areas, products, levels, tiers and today's campaigns, priced for one clinic."""
    return catalogs.catalog(services(), clinic)


@blp.route("/estimates", methods=["POST"])
@blp.arguments(EstimateRequestSchema())
@blp.response(200, EstimateSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_estimate(body: dict):
    """Price a course of sessions; nothing is stored."""
    # The hot path: the plain form equals EstimateSchema's dump (a test checks it).
    return json_response(estimate_to_plain(estimates.estimate(services(), estimate_request(body)), i18n.current()))


@blp.route("/quote-requests", methods=["POST"])
@blp.arguments(QuoteRequestSchema())
@blp.response(201, QuoteRequestAnswerSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_quote_request(body: dict):
    """The website's "send me this quote": stored for the sales desk; answers the number only."""
    # Nothing about the stored quote is reachable without a token.
    return quotes.create_quote(services(), create_command(body, source="website", by=None)).quote
