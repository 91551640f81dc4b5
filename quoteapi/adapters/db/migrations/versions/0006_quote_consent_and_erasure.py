"""Quotes keep a website visitor's consent (when, which wording) and when their personal data was erased.

Website requests stored before this migration were all made with ``consent: true``
beside the only wording the estimator has shown (version 1 of
quoteapi/domain/consent.py): they get that version, given when they were stored.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("consent_version", sa.String(16), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    quotes = sa.table(
        "quotes",
        sa.column("source", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("consent_at", sa.DateTime(timezone=True)),
        sa.column("consent_version", sa.String),
    )
    op.execute(
        quotes.update()
        .where(quotes.c.source == "website")
        .values(consent_at=quotes.c.created_at, consent_version="1")
    )


def downgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("consent_version")
        batch.drop_column("consent_at")
