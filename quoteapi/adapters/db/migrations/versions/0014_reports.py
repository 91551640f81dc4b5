"""What the pipeline report reads, kept with each quote (api.md revision 3, "Reports").

The figures of a report live in revisions' JSON and in the activity; at a million
quotes the report cannot read those, so the use cases that change a quote keep,
in the same transaction:

- ``quotes.created_on``: the clinics' date (Europe/Istanbul) of ``created_at``: the
  report's date range, its months and weeks (index ``ix_quotes_created_on``);
- ``quotes.accepted_at``: when it moved to ``accepted`` (median days to acceptance);
- ``quotes.manual_discount``, ``quotes.discount_by``: the newest revision's manual
  discount as a positive amount (null: none) and who priced that revision;
- ``quotes.paid``: payments net of refunds (deposits received; null: no payment yet);
- ``quote_areas``, ``quote_campaigns``: the newest revision's area codes and applied
  campaigns, one row each, with the quote's ``created_on`` (``group_by=area`` /
  ``campaign``: only the range's rows are read; indexed by code and by date).

Existing quotes get them here: the date from ``created_at``, the acceptance from the
activity line of the move to ``accepted`` (else the customer's acceptance record), the
rest from the newest revision.

Revision ID: 0014
Revises: 0013
"""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from quoteapi.adapters.clock import local_date

# The columns of the report's index, as the models name them in this revision.
REPORT_COLUMNS = (
    "id", "clinic", "source", "status", "valid_until", "currency", "total", "decline_reason", "assigned_to",
    "manual_discount", "discount_by", "paid", "created_at", "accepted_at",
)

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _moment(value):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value if isinstance(value, datetime) else None


def _fill(connection) -> None:
    quotes = sa.table(
        "quotes", sa.column("id", sa.Integer), sa.column("created_at", WHEN), sa.column("status", sa.String),
        sa.column("revision", sa.Integer), sa.column("acceptance", sa.JSON), sa.column("created_on", sa.Date),
        sa.column("accepted_at", WHEN), sa.column("manual_discount", sa.Numeric(14, 2)),
        sa.column("discount_by", sa.String),
    )
    revisions = sa.table(
        "quote_revisions", sa.column("quote_id", sa.Integer), sa.column("revision", sa.Integer),
        sa.column("inputs", sa.JSON), sa.column("estimate", sa.JSON), sa.column("created_by", sa.String),
    )
    activity = sa.table(
        "quote_activity", sa.column("quote_id", sa.Integer), sa.column("at", WHEN), sa.column("kind", sa.String),
        sa.column("values", sa.JSON),
    )
    areas = sa.table("quote_areas", sa.column("quote_id", sa.Integer), sa.column("code", sa.String),
                     sa.column("created_on", sa.Date))
    campaigns = sa.table("quote_campaigns", sa.column("quote_id", sa.Integer), sa.column("code", sa.String),
                         sa.column("created_on", sa.Date))
    accepted_moves = {}
    for quote_id, at, values in connection.execute(
        sa.select(activity.c.quote_id, activity.c.at, activity.c["values"]).where(activity.c.kind == "status")
    ):
        if isinstance(values, dict) and values.get("after") == "accepted":
            accepted_moves[quote_id] = at
    found = connection.execute(
        sa.select(quotes.c.id, quotes.c.created_at, quotes.c.status, quotes.c.acceptance, revisions.c.inputs,
                  revisions.c.estimate, revisions.c.created_by)
        .join(revisions, (revisions.c.quote_id == quotes.c.id) & (revisions.c.revision == quotes.c.revision))
    ).all()
    updates, area_rows, campaign_rows = [], [], []
    for row in found:
        accepted_at = None
        if row.status == "accepted":
            accepted_at = _moment(accepted_moves.get(row.id)) or _moment((row.acceptance or {}).get("at"))
        estimate, inputs = row.estimate or {}, row.inputs or {}
        manual = [Decimal(str(line["amount"])) for line in estimate.get("lines") or ()
                  if line.get("kind") == "manual_discount"]
        discount = -sum(manual, Decimal("0.00")) if manual else None
        on = local_date(_moment(row.created_at))
        updates.append({
            "quote_id": row.id, "on": on, "accepted": accepted_at,
            "discount": discount, "by": row.created_by if manual else None,
        })
        area_rows += [{"quote_id": row.id, "code": code, "created_on": on}
                      for code in dict.fromkeys(a.get("code") for a in inputs.get("areas") or ()) if code]
        campaign_rows += [{"quote_id": row.id, "code": code, "created_on": on}
                          for code in dict.fromkeys(estimate.get("applied_campaigns") or ()) if code]
    if updates:
        connection.execute(
            quotes.update().where(quotes.c.id == sa.bindparam("quote_id")).values(
                created_on=sa.bindparam("on"), accepted_at=sa.bindparam("accepted"),
                manual_discount=sa.bindparam("discount"), discount_by=sa.bindparam("by"),
            ),
            updates,
        )
    if area_rows:
        connection.execute(areas.insert(), area_rows)
    if campaign_rows:
        connection.execute(campaigns.insert(), campaign_rows)
    payments = sa.table("payments", sa.column("quote_id", sa.Integer), sa.column("kind", sa.String),
                        sa.column("amount", sa.Numeric(14, 2)))
    paid: dict[int, Decimal] = {}
    for quote_id, kind, amount in connection.execute(sa.select(payments.c.quote_id, payments.c.kind, payments.c.amount)):
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        paid[quote_id] = paid.get(quote_id, Decimal("0.00")) + (-amount if kind == "refund" else amount)
    if paid:
        paid_column = sa.table("quotes", sa.column("id", sa.Integer), sa.column("paid", sa.Numeric(14, 2)))
        connection.execute(
            paid_column.update().where(paid_column.c.id == sa.bindparam("quote_id")).values(paid=sa.bindparam("amount")),
            [{"quote_id": k, "amount": v} for k, v in paid.items()],
        )


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("created_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("accepted_at", WHEN, nullable=True))
        batch.add_column(sa.Column("manual_discount", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("discount_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("paid", sa.Numeric(14, 2), nullable=True))
        # On PostgreSQL it carries every column the report reads: an index-only scan of the range.
        batch.create_index("ix_quotes_created_on", ["created_on"], postgresql_include=list(REPORT_COLUMNS))
    for name in ("quote_areas", "quote_campaigns"):
        op.create_table(
            name,
            sa.Column("quote_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(64), nullable=False),
            sa.Column("created_on", sa.Date(), nullable=True),
            sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"], name=f"fk_{name}_quote_id_quotes"),
            sa.PrimaryKeyConstraint("quote_id", "code", name=f"pk_{name}"),
        )
        op.create_index(f"ix_{name}_code", name, ["code"])
        op.create_index(f"ix_{name}_created_on", name, ["created_on"], postgresql_include=["code", "quote_id"])
    _fill(op.get_bind())


def downgrade() -> None:
    for name in ("quote_campaigns", "quote_areas"):
        op.drop_index(f"ix_{name}_created_on", table_name=name)
        op.drop_index(f"ix_{name}_code", table_name=name)
        op.drop_table(name)
    with op.batch_alter_table("quotes") as batch:
        batch.drop_index("ix_quotes_created_on")
        batch.drop_column("paid")
        batch.drop_column("discount_by")
        batch.drop_column("manual_discount")
        batch.drop_column("accepted_at")
        batch.drop_column("created_on")
