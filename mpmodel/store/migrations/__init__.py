"""Alembic's migrations of the history store (`mpmodel.store.migrate` runs them): `env.py` and one module per
revision in `versions/`, each bringing a store from the revision before it, backfilling what it adds."""
