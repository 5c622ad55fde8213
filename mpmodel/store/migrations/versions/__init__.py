"""The store's revisions, oldest first: 0001 is the schema of mpmodel 0.2.0 and before (no version table)."""
