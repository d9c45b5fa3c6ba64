"""Memory across issues: ``issues`` and ``issue_stories``.

What each issue ran (drafted or published), per date and per item: the link, the
headline, the fact bullets and the articles the item stood for
(``aidaily.store.tables.IssueRow`` / ``IssueStoryRow``). New tables only: every row of
the older ones stays as it is. The tables start empty; ``aidaily.memory.issues`` fills
them from the issues' files (a published post, else the current draft) the next time a
date after them is selected.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("recorded", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("date"),
    )
    op.create_table(
        "issue_stories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("story_id", sa.String(length=64), nullable=True),
        sa.Column("bullets", sa.JSON(), nullable=False),
        sa.Column("articles", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["date"], ["issues.date"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_issue_stories_date", "issue_stories", ["date"])


def downgrade() -> None:
    op.drop_index("ix_issue_stories_date", table_name="issue_stories")
    op.drop_table("issue_stories")
    op.drop_table("issues")
