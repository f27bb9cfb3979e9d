"""Alembic environment: migrations run on the connection the store hands over (see adapters.storage.store)."""

from alembic import context

from jianfu.adapters.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - run from the alembic command line
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
