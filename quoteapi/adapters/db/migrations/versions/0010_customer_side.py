"""The customer's side (api.md revision 3): links, payments, an outbox, decline reasons.

- ``users.full_name``, ``users.email``: the person who prepared a quote, and where their
  notifications go;
- ``quotes.decline_reason``, ``decline_note``, ``acceptance`` (JSON), ``last_viewed_at``;
- ``quote_revisions.deposit_percent``: the clinic's deposit in the list it was priced with;
- ``quote_links``: the customer's links, by the SHA-256 of their tokens;
- ``payments``: money received or given back;
- ``outbox``: messages stored with the change that caused them, sent outside requests.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("full_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("decline_reason", sa.String(16), nullable=True))
        batch.add_column(sa.Column("decline_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("acceptance", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("last_viewed_at", WHEN, nullable=True))
    with op.batch_alter_table("quote_revisions") as batch:
        batch.add_column(sa.Column("deposit_percent", sa.Numeric(5, 2), nullable=True))
    op.create_table(
        "quote_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("quote_id", sa.Integer(), sa.ForeignKey("quotes.id", name="fk_quote_links_quote_id_quotes"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quote_links"),
        sa.UniqueConstraint("token_hash", name="uq_quote_links_token_hash"),
    )
    op.create_index("ix_quote_links_quote_id", "quote_links", ["quote_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("quote_id", sa.Integer(), sa.ForeignKey("quotes.id", name="fk_payments_quote_id_quotes"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
    )
    op.create_index("ix_payments_quote_id", "payments", ["quote_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("quote_id", sa.Integer(), sa.ForeignKey("quotes.id", name="fk_outbox_quote_id_quotes"), nullable=True),
        sa.Column("recipient", sa.String(254), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_quote_id", "outbox", ["quote_id"])
    op.create_index("ix_outbox_state_due", "outbox", ["state", "due_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("payments")
    op.drop_table("quote_links")
    with op.batch_alter_table("quote_revisions") as batch:
        batch.drop_column("deposit_percent")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("last_viewed_at")
        batch.drop_column("acceptance")
        batch.drop_column("decline_note")
        batch.drop_column("decline_reason")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
        batch.drop_column("full_name")
