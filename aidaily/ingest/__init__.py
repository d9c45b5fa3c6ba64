"""Ingest: fetching over HTTP, the raw-response archive, mirrors, and one date's ingest into the store."""
