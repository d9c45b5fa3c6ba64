"""Alembic's environment for aidaily's schema, configured in code (no alembic.ini).

``aidaily.store.migrate`` runs the migrations on a connection of its own (with the
database's lock held) and passes it in ``config.attributes["connection"]``; SQLite
takes ALTERs in batch mode (copy and move), which Alembic needs there to change a table.
A new revision, from a checkout, against a database at head::

    from alembic import command
    from aidaily.store import migrate
    with engine.begin() as conn:
        command.revision(migrate.alembic_config(conn), "what changes", autogenerate=True)

then set ``migrate.HEAD`` to its id (a test holds the two together).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from aidaily.store.db import Base, import_tables

import_tables()  # every table on the metadata, for autogenerate


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("aidaily's migrations run online only: aidaily db upgrade")
connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("aidaily's migrations run through aidaily.store.migrate (aidaily db upgrade)")
run_migrations(connection)
