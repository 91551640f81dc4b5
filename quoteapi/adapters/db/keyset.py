"""Keyset reads on an integer id: a listing's page newest first, and every row oldest first in batches."""

from __future__ import annotations

from typing import Any, Iterator

from sqlalchemy import Row, Select
from sqlalchemy.orm import Session

from .database import Database


def newest_first(session: Session, statement: Select, id_column: Any, before: int | None, count: int) -> list[Any]:
    """Up to ``count`` objects of ``statement``, newest (highest ``id_column``) first, below ``before`` if given."""
    if before is not None:
        statement = statement.where(id_column < before)
    return list(session.scalars(statement.order_by(id_column.desc()).limit(count)))


def in_id_order(database: Database, statement: Select, size: int) -> Iterator[Row]:
    """Every row of ``statement``, whose first column is the id, in the ids' order.

    Read ``size`` rows at a time, each batch in a short read of its own: the
    caller's work between batches holds no connection.
    """
    id_column = statement.selected_columns[0]
    statement = statement.order_by(id_column).limit(size)
    last = 0
    while True:
        with database.reading() as session:
            found = session.execute(statement.where(id_column > last)).all()
        yield from found
        if len(found) < size:
            return
        last = found[-1][0]
