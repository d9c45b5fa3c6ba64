"""The store: database tables, migrations and the queries every stage shares."""
