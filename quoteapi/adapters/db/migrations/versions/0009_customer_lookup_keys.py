"""Quotes keep the look-up keys of their customer's e-mail address and phone number.

- ``quotes.customer_email_key``, ``quotes.customer_phone_key``, each indexed: the
  address and the number as an export or an erasure looks them up
  (``quoteapi/domain/personal_data.py``: ``email_key``, ``phone_key``). They are
  worked out in Python, never by SQL: SQLite's ``lower()`` knows ASCII only,
  PostgreSQL's and Python's disagree on ``İ``, and SQL cannot tell that
  ``0532 765 43 21`` is ``+90 532 765 43 21``. Existing quotes get them here.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from quoteapi.domain.personal_data import email_key, phone_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("customer_email_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("customer_phone_key", sa.Text(), nullable=True))
        batch.create_index("ix_quotes_customer_email_key", ["customer_email_key"])
        batch.create_index("ix_quotes_customer_phone_key", ["customer_phone_key"])
    quotes = sa.table(
        "quotes",
        sa.column("id", sa.Integer),
        sa.column("customer_email", sa.String),
        sa.column("customer_phone", sa.String),
        sa.column("customer_email_key", sa.Text),
        sa.column("customer_phone_key", sa.Text),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(quotes.c.id, quotes.c.customer_email, quotes.c.customer_phone)
        .where(sa.or_(quotes.c.customer_email.is_not(None), quotes.c.customer_phone.is_not(None)))
    ).all()
    keys = [
        {"quote_id": quote_id, "email_key": email_key(email), "phone_key": phone_key(phone)}
        for quote_id, email, phone in found
    ]
    if keys:
        connection.execute(
            quotes.update()
            .where(quotes.c.id == sa.bindparam("quote_id"))
            .values(customer_email_key=sa.bindparam("email_key"), customer_phone_key=sa.bindparam("phone_key")),
            keys,
        )


def downgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.drop_index("ix_quotes_customer_phone_key")
        batch.drop_index("ix_quotes_customer_email_key")
        batch.drop_column("customer_phone_key")
        batch.drop_column("customer_email_key")
