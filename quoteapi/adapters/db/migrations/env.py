"""Alembic environment: runs on the engine the app (or CLI) hands over."""

from alembic import context

from quoteapi.adapters.db.models import Base

config = context.config
engine = config.attributes["engine"]


def include_object(obj, name, type_, reflected, compare_to):
    """Leave out what the models build on another database only (``Index(...).ddl_if(dialect=...)``)."""
    condition = getattr(obj, "_ddl_if", None)
    if type_ == "index" and not reflected and condition is not None and condition.dialect is not None:
        return engine.dialect.name == condition.dialect
    return True


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=engine.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
