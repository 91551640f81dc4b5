"""Quote revisions remember the day they were priced (a faithful replay needs it).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quote_revisions") as batch:
        batch.add_column(sa.Column("priced_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quote_revisions") as batch:
        batch.drop_column("priced_on")
