"""Keyset reads on an integer id: a listing's page newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def newest_first(session: Session, statement: Select, id_column: Any, before: int | None, count: int) -> list[Any]:
    """Up to ``count`` objects of ``statement``, newest (highest ``id_column``) first, below ``before`` if given."""
    if before is not None:
        statement = statement.where(id_column < before)
    return list(session.scalars(statement.order_by(id_column.desc()).limit(count)))
