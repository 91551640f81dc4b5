"""Quotes remember their language; activity lines keep their values to be shown in any language.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="tr"))
    with op.batch_alter_table("quote_activity") as batch:
        batch.add_column(sa.Column("values", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quote_activity") as batch:
        batch.drop_column("values")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("language")
