"""The public API the website calls: no auth, CORS, rate limited per address."""

from __future__ import annotations

from ..extensions import limiter, public_rate_limit
from ..schemas import (
    CatalogQuerySchema,
    CatalogSchema,
    ClinicSummarySchema,
    EstimateRequestSchema,
    EstimateSchema,
    QuoteRequestAnswerSchema,
    QuoteRequestSchema,
)
from ..services import catalog as catalog_service
from ..services import quotes
from ..services.estimates import estimate, estimate_to_dict
from .common import json_response, state, today
from .openapi import Blueprint
from .quotes import IDEMPOTENCY_KEY, idempotency_key, valid_days

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
    return json_response(catalog_service.clinics(state().price_lists.current()))


@blp.route("/catalog")
@blp.arguments(CatalogQuerySchema(unknown="exclude"), location="query", as_kwargs=True)
@blp.response(200, CatalogSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def get_catalog(clinic: str):
    """Areas, products, levels, tiers and today's campaigns, priced for one clinic."""
    return json_response(catalog_service.catalog(state().price_lists.current(), clinic, today()))


@blp.route("/estimates", methods=["POST"])
@blp.arguments(EstimateRequestSchema())
@blp.response(200, EstimateSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_estimate(body: dict):
    """Price a course of sessions; nothing is stored."""
    result = estimate(state().price_lists.current(), body, today())
    return json_response(estimate_to_dict(result))


@blp.route("/quote-requests", methods=["POST"])
@blp.arguments(QuoteRequestSchema())
@blp.response(201, QuoteRequestAnswerSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_quote_request(body: dict):
    """The website's "send me this quote": stored for the sales desk; answers the number only."""
    created = quotes.create_quote(
        state().database,
        state().price_lists.current(),
        body,
        source="website",
        by=None,
        today=today(),
        valid_days=valid_days(),
        idempotency_key=idempotency_key(),
    )
    # Nothing about the stored quote is reachable without a token.
    return json_response(created.body, status=created.status)
