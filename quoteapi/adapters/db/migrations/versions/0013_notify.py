"""Indexes for staff notifications (api.md revision 3, "Notifications"; adapters/db/notify_store.py).

- ``ix_quotes_assigned_follow_up`` (assigned_to, follow_up_on): one user's follow-ups due (the digest);
- ``ix_quotes_assigned_valid_until`` (assigned_to, valid_until): one user's quotes expiring this week,
  and the website requests nobody has taken (assigned_to IS NULL, still valid);
- ``ix_quotes_assigned_viewed`` (assigned_to, last_viewed_at): one user's customers who opened their link
  since the last digest;
- ``ix_quotes_approval_at``: the approvals decided since a moment (the console's "new" count);
- ``ix_quote_activity_kind_at`` (kind, at): the customers' acceptances and questions since a moment.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

QUOTES = (
    ("ix_quotes_assigned_follow_up", ["assigned_to", "follow_up_on"]),
    ("ix_quotes_assigned_valid_until", ["assigned_to", "valid_until"]),
    ("ix_quotes_assigned_viewed", ["assigned_to", "last_viewed_at"]),
    ("ix_quotes_approval_at", ["approval_at"]),
)


def upgrade() -> None:
    for name, columns in QUOTES:
        op.create_index(name, "quotes", columns)
    op.create_index("ix_quote_activity_kind_at", "quote_activity", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_quote_activity_kind_at", table_name="quote_activity")
    for name, _columns in reversed(QUOTES):
        op.drop_index(name, table_name="quotes")
