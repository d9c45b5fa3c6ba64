"""The store: what a home keeps. The database (tables, migrations, the queries every stage
shares) and the draft files with their versions (``store.drafts``).
"""
