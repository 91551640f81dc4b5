"""The public API the website calls: no auth, CORS, rate limited per address."""

from __future__ import annotations

import hashlib

from flask import Response

from ..domain.consent import CONSENT_VERSION
from ..domain.pricing.plain import estimate_to_plain
from ..interface import i18n
from ..interface.answers import json_response
from ..interface.commands import create_command
from ..interface.schemas.catalog import CatalogQuerySchema, CatalogSchema, ClinicSummarySchema
from ..interface.schemas.estimates import EstimateRequestSchema, EstimateSchema, estimate_request
from ..interface.schemas.quotes import QuoteRequestAnswerSchema, QuoteRequestSchema
from ..services import catalog as catalogs
from ..services import estimates, quotes
from .etags import not_modified
from .limits import limit_blueprint
from .openapi import Blueprint
from .quotes import IDEMPOTENCY_KEY, LOCATION, REPLAYED, created_headers, idempotency_key
from .responses import services

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/api/v1",
    description="What the website's price estimator needs, and its quote requests; no token required.",
)

# One budget per client address for the whole blueprint: checked once per
# request, before the view (a per-view decorator would check twice).
limit_blueprint(blp)


CACHE_HEADERS = {
    "ETag": {"description": "Changes with the price list, the language (and, for the catalogue, the day).", "schema": {"type": "string"}},
    "Cache-Control": {"description": "Kept for a minute, then revalidated with If-None-Match.", "schema": {"type": "string"}},
}


def _cacheable(*parts: object) -> tuple[str, dict[str, str]]:
    """An ETag for what these parts decide, and the headers that let browsers and caches revalidate."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    etag = f'"{digest}"'
    return etag, {"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}


@blp.route("/clinics")
@blp.response(200, ClinicSummarySchema(many=True), headers=CACHE_HEADERS)
@blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current.")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def list_clinics():
    """The clinics of the current price list."""
    ctx = services()
    etag, headers = _cacheable("clinics", ctx.price_lists.current().version, i18n.current().code)
    if not_modified(etag):
        return Response(status=304, headers=headers)
    return catalogs.clinics(ctx), headers


@blp.route("/catalog")
@blp.arguments(CatalogQuerySchema(unknown="exclude"), location="query", as_kwargs=True)
@blp.response(200, CatalogSchema, headers=CACHE_HEADERS)
@blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match is current.")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def get_catalog(clinic: str):
    """Areas, products, levels, tiers and today's campaigns, priced for one clinic."""
    ctx = services()
    offered = ctx.price_lists.current()
    # The campaigns offered, too: one used up leaves the offer while the version stays.
    campaigns = ",".join(c.code for c in offered.campaigns)
    etag, headers = _cacheable("catalog", offered.version, campaigns, clinic, i18n.current().code, ctx.today())
    if not_modified(etag):
        return Response(status=304, headers=headers)
    return catalogs.catalog(ctx, clinic), headers


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
@blp.response(201, QuoteRequestAnswerSchema, headers={**LOCATION, **REPLAYED})
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
def create_quote_request(body: dict):
    """The website's "send me this quote": stored for the sales desk; answers the number only."""
    # Nothing about the stored quote is readable without a token: Location is for the desk.
    # The consent is to the sentence the estimator shows now (quoteapi/domain/consent.py).
    command = create_command(body, source="website", by=None, idempotency_key=idempotency_key(),
                             language=i18n.current().code, consent_version=CONSENT_VERSION)
    created = quotes.create_quote(services(), command)
    return created.quote, created_headers(created)
