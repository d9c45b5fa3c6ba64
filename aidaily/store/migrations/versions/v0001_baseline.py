"""Baseline: the schema as ``create_all`` made it before aidaily had migrations.

Written out explicitly (not derived from the models) so that it stays what it was when
the models change: sources, articles, fetch attempts and runs (``aidaily.store.tables``),
the model's call log and cache (``aidaily.llm``) and the publications
(``aidaily.review.publish``), with the same types, nullability, keys and index names as
``Base.metadata.create_all`` made them on SQLite and PostgreSQL (compared with
``tests/fixtures/legacy_home``).

A database made before migrations already has these tables: each one that exists is
kept as it is (its rows untouched), so such a database is simply stamped at this
revision; one that is missing (an older home) is created.

Revision ID: 0001
Revises:
Create Date: 2026-01-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if "sources" not in existing:
        op.create_table(
            "sources",
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("last_success", sa.DateTime(), nullable=True),
            sa.Column("last_failure", sa.DateTime(), nullable=True),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("last_yield", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("name"),
        )

    if "articles" not in existing:
        op.create_table(
            "articles",
            sa.Column("url", sa.String(length=2048), nullable=False),
            sa.Column("source", sa.String(length=100), nullable=False),
            sa.Column("title", sa.Text(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("published", sa.DateTime(), nullable=True),
            sa.Column("published_tz", sa.String(length=64), nullable=True),
            sa.Column("author", sa.Text(), nullable=False),
            sa.Column("origin", sa.Text(), nullable=False),
            sa.Column("editor", sa.Text(), nullable=False),
            sa.Column("images", sa.JSON(), nullable=False),
            sa.Column("tags", sa.JSON(), nullable=False),
            sa.Column("links", sa.JSON(), nullable=False),
            sa.Column("section", sa.Text(), nullable=False),
            sa.Column("ai_relevant", sa.Boolean(), nullable=True),
            sa.Column("content_hash", sa.String(length=64), nullable=False),
            sa.Column("story_id", sa.String(length=64), nullable=True),
            sa.Column("first_seen", sa.DateTime(), nullable=False),
            sa.Column("last_seen", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("url"),
        )
        op.create_index("ix_articles_source", "articles", ["source"])
        op.create_index("ix_articles_published", "articles", ["published"])
        op.create_index("ix_articles_story_id", "articles", ["story_id"])

    if "fetch_attempts" not in existing:
        op.create_table(
            "fetch_attempts",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("run_id", sa.String(length=32), nullable=True),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("source", sa.String(length=100), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("status", sa.Integer(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("duration", sa.Float(), nullable=False),
            sa.Column("time", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_fetch_attempts_run_id", "fetch_attempts", ["run_id"])
        op.create_index("ix_fetch_attempts_source", "fetch_attempts", ["source"])
        op.create_index("ix_fetch_attempts_time", "fetch_attempts", ["time"])

    if "runs" not in existing:
        op.create_table(
            "runs",
            sa.Column("id", sa.String(length=32), nullable=False),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("started", sa.DateTime(), nullable=False),
            sa.Column("finished", sa.DateTime(), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("stats", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_runs_date", "runs", ["date"])

    if "llm_calls" not in existing:
        op.create_table(
            "llm_calls",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("run_id", sa.String(length=64), nullable=True),
            sa.Column("step", sa.String(length=32), nullable=False),
            sa.Column("model", sa.String(length=200), nullable=False),
            sa.Column("prompt_hash", sa.String(length=64), nullable=False),
            sa.Column("cache_key", sa.String(length=64), nullable=False),
            sa.Column("tokens_in", sa.Integer(), nullable=False),
            sa.Column("tokens_out", sa.Integer(), nullable=False),
            sa.Column("latency_s", sa.Float(), nullable=False),
            sa.Column("cost_usd", sa.Float(), nullable=False),
            sa.Column("outcome", sa.String(length=64), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_llm_calls_run_id", "llm_calls", ["run_id"])
        op.create_index("ix_llm_calls_prompt_hash", "llm_calls", ["prompt_hash"])

    if "llm_cache" not in existing:
        op.create_table(
            "llm_cache",
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("step", sa.String(length=32), nullable=False),
            sa.Column("model", sa.String(length=200), nullable=False),
            sa.Column("response", sa.Text(), nullable=False),
            sa.Column("tokens_in", sa.Integer(), nullable=False),
            sa.Column("tokens_out", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )

    if "publications" not in existing:
        op.create_table(
            "publications",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("date", sa.String(length=10), nullable=False),
            sa.Column("path", sa.String(length=1024), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("published_by", sa.String(length=200), nullable=False),
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("forced", sa.Boolean(), nullable=False),
            sa.Column("overridden", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_publications_date", "publications", ["date"])


def downgrade() -> None:
    for table in ("publications", "llm_cache", "llm_calls", "runs", "fetch_attempts", "articles", "sources"):
        op.drop_table(table)
