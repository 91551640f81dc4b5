"""The quote's PDF as it was sent (``sent_documents``; services/sending.py makes it, the outbox attaches it).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sent_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"], name="fk_sent_documents_quote_id_quotes"),
        sa.PrimaryKeyConstraint("id", name="pk_sent_documents"),
    )
    op.create_index("ix_sent_documents_quote_hash", "sent_documents", ["quote_id", "html_sha256"])
    op.create_index("ix_sent_documents_used_at", "sent_documents", ["used_at"])


def downgrade() -> None:
    op.drop_index("ix_sent_documents_used_at", table_name="sent_documents")
    op.drop_index("ix_sent_documents_quote_hash", table_name="sent_documents")
    op.drop_table("sent_documents")
