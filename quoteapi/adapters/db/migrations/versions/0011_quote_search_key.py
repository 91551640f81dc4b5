"""Quotes keep what the quote list's search looks in, and PostgreSQL indexes it by trigrams.

- ``quotes.search_key``: the number, the customer's name and e-mail folded (no case,
  no accents, the Turkish i's as one letter) and the phone's E.164 digits
  (``quoteapi/domain/personal_data.py`` ``search_key``), worked out in Python so that
  SQLite and PostgreSQL find the same quotes. Existing quotes get it here.
- On PostgreSQL, ``ix_quotes_search_key``: a GIN index with ``gin_trgm_ops`` (the
  ``pg_trgm`` extension, part of PostgreSQL's contrib; created here if missing), which
  serves ``search_key LIKE '%term%'`` at a million quotes.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from quoteapi.domain.personal_data import search_key

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=True))
    quotes = sa.table(
        "quotes",
        sa.column("id", sa.Integer), sa.column("number", sa.String), sa.column("customer_name", sa.String),
        sa.column("customer_email", sa.String), sa.column("customer_phone", sa.String),
        sa.column("erased_at", sa.DateTime), sa.column("search_key", sa.Text),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(quotes.c.id, quotes.c.number, quotes.c.customer_name, quotes.c.customer_email,
                  quotes.c.customer_phone, quotes.c.erased_at)
    ).all()
    keys = [
        {"quote_id": row.id,
         "key": search_key(row.number, None, None, None) if row.erased_at is not None
         else search_key(row.number, row.customer_name, row.customer_email, row.customer_phone)}
        for row in found
    ]
    if keys:
        connection.execute(
            quotes.update().where(quotes.c.id == sa.bindparam("quote_id")).values(search_key=sa.bindparam("key")), keys
        )
    if connection.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_quotes_search_key", "quotes", ["search_key"], postgresql_using="gin",
                        postgresql_ops={"search_key": "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_quotes_search_key", table_name="quotes")
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("search_key")
