"""Staff console sessions kept on the server, so that signing out ends a session everywhere.

- ``console_sessions``: one row per sign-in to the console, keyed by the hash of
  the random token its cookie holds (never the token itself), with the user and
  when it was made and ends. Signing out deletes the row.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_console_sessions_user_id_users"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_console_sessions"),
    )
    with op.batch_alter_table("console_sessions") as batch:
        batch.create_index("ix_console_sessions_user_id", ["user_id"])
        batch.create_index("ix_console_sessions_expires_at", ["expires_at"])


def downgrade() -> None:
    op.drop_table("console_sessions")
