"""The store as mpmodel 0.2.0 and every release before it made it: runs, results, verdicts and records.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "mpmodel_runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("commit_id", sa.String(64)),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("host", sa.String(255)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_table(
        "mpmodel_results",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(512), primary_key=True),
        sa.Column("test", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(64)),
        sa.Column("median_s", sa.Float),
        sa.Column("rounds", sa.Text),
        sa.Column("extra_info", sa.Text),
    )
    op.create_table(
        "mpmodel_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "mpmodel_verdicts",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("mpmodel_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("test", sa.String(512), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
    )


def downgrade() -> None:
    for table in ("mpmodel_verdicts", "mpmodel_meta", "mpmodel_results", "mpmodel_runs"):
        op.drop_table(table)
