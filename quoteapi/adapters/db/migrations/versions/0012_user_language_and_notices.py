"""Users get a language and two markers for notifications (api.md revision 3, "Notifications").

- ``users.language``: ``tr`` or ``en``, the language of their mail (null: the default language);
- ``users.digest_at``: when their last morning digest was queued ("customers who opened
  their link since the last digest");
- ``users.seen_at``: when they last looked at what is new for them in the console (the
  console's count of approvals decided and customers who accepted or asked since then).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=True))
        batch.add_column(sa.Column("digest_at", WHEN, nullable=True))
        batch.add_column(sa.Column("seen_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("seen_at")
        batch.drop_column("digest_at")
        batch.drop_column("language")
