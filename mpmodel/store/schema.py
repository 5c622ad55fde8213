"""The store's tables as this release writes them, and the indexed columns derived from a run when it is saved.

A run's JSON content stays the record. Beside it each run row keeps its context (`context_key`, a hash of the
facts that make runs comparable, and `facts`, those facts) and each result row its series (workload, test, policy,
compile mode, float32 variant), so the history commands select in SQL what they show: the latest run of each
context, a context's last N runs, one run by number, name or id prefix. Alembic versions the schema
(`mpmodel.store.migrations`); a store made by an earlier release is brought to this one in place.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, MetaData, String, Table, Text

from mpmodel.measure.context import MEASURED_FACTS, describe, label
from mpmodel.measure.results import ResultRecord
from mpmodel.store.runs import test_of

METADATA = MetaData()
RUNS = Table(
    "mpmodel_runs", METADATA,
    Column("id", String(64), primary_key=True),  # sha256 of the run's canonical JSON
    Column("saved_at", DateTime(timezone=True), nullable=False),  # the run's own datetime
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Column("name", String(255), nullable=False),  # the file name pytest-benchmark gave it, where it had one
    Column("commit_id", String(64)),
    Column("context", Text, nullable=False),  # the facts that make runs comparable, as one label
    Column("host", String(255)),
    Column("content", Text, nullable=False),  # the whole run, as pytest-benchmark wrote it
    Column("summary", Text, nullable=False),  # the run without its per-round data: what a history of thousands reads
    Column("context_key", String(64)),  # sha256 of the measured facts: runs that compare share it (schema 2)
    Column("facts", Text),  # those facts, JSON: what matrix and report diff (schema 2)
    Index("ix_mpmodel_runs_saved", "saved_at", "id"),
    Index("ix_mpmodel_runs_context", "context_key", "saved_at"),
    Index("ix_mpmodel_runs_name", "name"),
)
RESULTS = Table(
    "mpmodel_results", METADATA,
    Column("run_id", String(64), ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("test", String(64), nullable=False),
    Column("policy", String(64)),
    Column("median_s", Float),
    Column("rounds", Text),  # per-round times, JSON
    Column("extra_info", Text),  # JSON
    Column("workload", String(128)),  # the series' other axes (schema 2); results saved before workloads: mlp
    Column("jit", String(16)),
    Column("fp32", String(16)),
    Index("ix_mpmodel_results_series", "workload", "test", "policy", "jit", "fp32"),
)
META = Table(  # records kept beside the runs, by name: the A/A calibration
    "mpmodel_meta", METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
VERDICTS = Table(
    "mpmodel_verdicts", METADATA,
    Column("run_id", String(64), ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("test", String(512), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("message", Text),
)
VERSION_TABLE = "mpmodel_schema_version"  # Alembic's record of the store's revision


def measured_facts(machine_info: dict) -> dict[str, str]:
    """The facts that decide what a run measures (`MEASURED_FACTS`): runs with the same ones compare."""
    return _measured(describe(machine_info))


def _measured(facts: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in facts.items() if k in MEASURED_FACTS}


def context_key(facts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(facts.items()), separators=(",", ":")).encode()).hexdigest()


def run_columns(content: dict) -> dict:
    """The run row's derived columns: its context as a label, a key and its facts."""
    facts = describe(content.get("machine_info") or {})
    measured = _measured(facts)
    return {"context": label(facts), "host": facts.get("host"), "context_key": context_key(measured),
            "facts": json.dumps(measured)}


def result_columns(bench: dict) -> dict:
    """A result row's series columns, read from its extra_info as history reads them (old results as the MLP's)."""
    record = ResultRecord(bench.get("extra_info") or {})
    return {"test": test_of(bench["name"]), "policy": (bench.get("extra_info") or {}).get("policy"),
            "workload": record.facts.label, "jit": record.jit, "fp32": record.fp32}
