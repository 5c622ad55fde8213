"""Indexed columns for selecting in SQL: each run's context (a key and its facts), each result's series (workload,
compile mode, float32 variant beside its test and policy), and indexes on them; backfilled from what each run saved.

Revision ID: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

from mpmodel.store import schema

revision = "0002"
down_revision = "0001"
BATCH = 500  # rows read and updated at a time: memory stays flat however large the store


def _batches(conn, query, key):
    """The query's rows in key order, BATCH at a time (keyset pagination: no OFFSET scans)."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = conn.execute(page.order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column("mpmodel_runs", sa.Column("context_key", sa.String(64)))
    op.add_column("mpmodel_runs", sa.Column("facts", sa.Text))
    for name in ("workload", "jit", "fp32"):
        op.add_column("mpmodel_results", sa.Column(name, sa.String(128 if name == "workload" else 16)))
    conn = op.get_bind()
    runs = sa.table("mpmodel_runs", sa.column("id"), sa.column("summary"), sa.column("context_key"), sa.column("facts"))
    for rows in _batches(conn, sa.select(runs.c.id, runs.c.summary), runs.c.id):
        values = []
        for rid, summary in rows:
            facts = schema.measured_facts(json.loads(summary).get("machine_info") or {})
            values.append({"b_id": rid, "context_key": schema.context_key(facts), "facts": json.dumps(facts)})
        conn.execute(runs.update().where(runs.c.id == sa.bindparam("b_id"))
                     .values(context_key=sa.bindparam("context_key"), facts=sa.bindparam("facts")), values)
    results = sa.table("mpmodel_results", sa.column("run_id"), sa.column("name"), sa.column("extra_info"),
                       sa.column("workload"), sa.column("jit"), sa.column("fp32"))
    last = None
    while True:  # keyset pagination over the composite primary key
        query = sa.select(results.c.run_id, results.c.name, results.c.extra_info)
        if last is not None:
            query = query.where(sa.or_(results.c.run_id > last[0],
                                       sa.and_(results.c.run_id == last[0], results.c.name > last[1])))
        rows = conn.execute(query.order_by(results.c.run_id, results.c.name).limit(BATCH)).all()
        if not rows:
            break
        values = []
        for rid, name, extra in rows:
            columns = schema.result_columns({"name": name, "extra_info": json.loads(extra or "{}")})
            values.append({"b_run": rid, "b_name": name, "workload": columns["workload"], "jit": columns["jit"],
                           "fp32": columns["fp32"]})
        conn.execute(results.update().where(sa.and_(results.c.run_id == sa.bindparam("b_run"),
                                                    results.c.name == sa.bindparam("b_name")))
                     .values(workload=sa.bindparam("workload"), jit=sa.bindparam("jit"), fp32=sa.bindparam("fp32")),
                     values)
        last = rows[-1][:2]
    op.create_index("ix_mpmodel_runs_saved", "mpmodel_runs", ["saved_at", "id"])
    op.create_index("ix_mpmodel_runs_context", "mpmodel_runs", ["context_key", "saved_at"])
    op.create_index("ix_mpmodel_runs_name", "mpmodel_runs", ["name"])
    op.create_index("ix_mpmodel_results_series", "mpmodel_results", ["workload", "test", "policy", "jit", "fp32"])


def downgrade() -> None:
    for index, table in (("ix_mpmodel_results_series", "mpmodel_results"), ("ix_mpmodel_runs_name", "mpmodel_runs"),
                         ("ix_mpmodel_runs_context", "mpmodel_runs"), ("ix_mpmodel_runs_saved", "mpmodel_runs")):
        op.drop_index(index, table_name=table)
    with op.batch_alter_table("mpmodel_results") as batch:
        for name in ("workload", "jit", "fp32"):
            batch.drop_column(name)
    with op.batch_alter_table("mpmodel_runs") as batch:
        batch.drop_column("context_key")
        batch.drop_column("facts")
