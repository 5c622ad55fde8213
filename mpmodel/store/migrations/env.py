"""Alembic's environment for the history store: migrations run on the connection `mpmodel.store.migrate` hands
over, inside its transaction (so an upgrade lands whole or not at all where the database has transactional DDL)."""

from alembic import context

from mpmodel.store.schema import METADATA, VERSION_TABLE

context.configure(connection=context.config.attributes["connection"], target_metadata=METADATA,
                  version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
