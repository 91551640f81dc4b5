"""Scheduled price-list versions, campaign caps, manual-discount approvals and staff passwords.

- ``price_list_versions``: ``effective_from`` (when the version takes effect; the
  versions stored before this migration took effect when they were made),
  ``cancelled_at``/``cancelled_by`` for a scheduled version withdrawn before it took
  effect, ``base_version`` (the version in force it was prepared against) and
  ``patch`` (the change itself, so that it can be laid again on top of a fix
  made while it waited).
- ``campaign_uses``: how many accepted quotes carry each campaign code, the row
  that acceptances lock so that concurrent acceptances never exceed ``max_uses``.
- ``quotes``: the approval of a manual discount (``not_needed``, ``pending``,
  ``approved``, ``rejected``) with who, when and a note.
- ``users``: a slow salted hash of the staff console password.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("price_list_versions") as batch:
        batch.add_column(sa.Column("effective_from", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("patch", sa.JSON(), nullable=True))
    versions = sa.table(
        "price_list_versions",
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("effective_from", sa.DateTime(timezone=True)),
    )
    op.execute(versions.update().values(effective_from=versions.c.created_at))
    with op.batch_alter_table("price_list_versions") as batch:
        batch.alter_column("effective_from", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index("ix_price_list_versions_effective_from", ["effective_from"])

    op.create_table(
        "campaign_uses",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("code", name="pk_campaign_uses"),
    )

    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("approval", sa.String(16), nullable=False, server_default="not_needed"))
        batch.add_column(sa.Column("approval_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("approval_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("approval_note", sa.Text(), nullable=True))

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("approval_note")
        batch.drop_column("approval_at")
        batch.drop_column("approval_by")
        batch.drop_column("approval")
    op.drop_table("campaign_uses")
    with op.batch_alter_table("price_list_versions") as batch:
        batch.drop_index("ix_price_list_versions_effective_from")
        batch.drop_column("patch")
        batch.drop_column("base_version")
        batch.drop_column("cancelled_by")
        batch.drop_column("cancelled_at")
        batch.drop_column("effective_from")
