"""The report's areas and campaigns kept on the quote: ``quotes.area_codes``, ``quotes.campaign_codes``.

Migration 0014 kept them in two tables, a row per code (``quote_areas``,
``quote_campaigns``), which ``group_by=area`` / ``campaign`` joined to the quotes: over
three years of a million quotes that join alone took more than a second. Each quote now
carries its newest revision's codes, sorted and joined by commas (null: none); the report
groups the quotes by these sets in one scan and counts each set in each of its codes
(adapters/db/report_store.py). The two tables are filled into the columns and dropped.

Also ``ix_quotes_approval_id`` on ``quotes (approval, id)``: the count of discounts waiting
for an admin in the console's menu walked the whole table newest first when none waited
(160 ms at a million quotes, on every admin page).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = {"quote_areas": "area_codes", "quote_campaigns": "campaign_codes"}


def _quotes():
    return sa.table("quotes", sa.column("id", sa.Integer), sa.column("created_on", sa.Date),
                    *(sa.column(column, sa.Text) for column in TABLES.values()))


def _rows(name: str):
    return sa.table(name, sa.column("quote_id", sa.Integer), sa.column("code", sa.String),
                    sa.column("created_on", sa.Date))


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        for column in TABLES.values():
            batch.add_column(sa.Column(column, sa.Text(), nullable=True))
        batch.create_index("ix_quotes_approval_id", ["approval", "id"])
    connection, quotes = op.get_bind(), _quotes()
    for name, column in TABLES.items():
        codes: dict[int, list[str]] = {}
        table = _rows(name)
        for quote_id, code in connection.execute(sa.select(table.c.quote_id, table.c.code)):
            codes.setdefault(quote_id, []).append(code)
        if codes:
            connection.execute(
                quotes.update().where(quotes.c.id == sa.bindparam("quote_id")).values({column: sa.bindparam("codes")}),
                [{"quote_id": k, "codes": ",".join(sorted(set(v)))} for k, v in codes.items()],
            )
        op.drop_index(f"ix_{name}_created_on", table_name=name)
        op.drop_index(f"ix_{name}_code", table_name=name)
        op.drop_table(name)


def downgrade() -> None:
    # The codes are read first and the columns dropped before the tables come back: on SQLite dropping a
    # column copies the quotes table, which rows pointing at it would refuse.
    connection, quotes = op.get_bind(), _quotes()
    found = {column: connection.execute(sa.select(quotes.c.id, quotes.c.created_on, quotes.c[column])
                                        .where(quotes.c[column].is_not(None))).all() for column in TABLES.values()}
    with op.batch_alter_table("quotes") as batch:
        batch.drop_index("ix_quotes_approval_id")
        for column in reversed(TABLES.values()):
            batch.drop_column(column)
    for name, column in TABLES.items():
        op.create_table(
            name,
            sa.Column("quote_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(64), nullable=False),
            sa.Column("created_on", sa.Date(), nullable=True),
            sa.ForeignKeyConstraint(["quote_id"], ["quotes.id"], name=f"fk_{name}_quote_id_quotes"),
            sa.PrimaryKeyConstraint("quote_id", "code", name=f"pk_{name}"),
        )
        op.create_index(f"ix_{name}_code", name, ["code"])
        op.create_index(f"ix_{name}_created_on", name, ["created_on"], postgresql_include=["code", "quote_id"])
        rows = [{"quote_id": quote_id, "code": code, "created_on": on}
                for quote_id, on, codes in found[column] for code in codes.split(",") if code]
        if rows:
            connection.execute(_rows(name).insert(), rows)
