"""The call log says what each request was about: ``llm_calls.subject``.

A request's subject is its day, step, kind of call and story ids
(``aidaily.llm.replay.Subject``): ``aidaily llm export`` finds a day's answers by it to
write a replay file. A nullable column and its index: every row already logged stays
as it is, with no subject (those calls cannot be exported, and never could).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("llm_calls") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=400), nullable=True))
        batch.create_index("ix_llm_calls_subject", ["subject"])


def downgrade() -> None:
    with op.batch_alter_table("llm_calls") as batch:
        batch.drop_index("ix_llm_calls_subject")
        batch.drop_column("subject")
