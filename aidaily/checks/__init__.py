"""Checks: numbers, entity names and the grounding of fact bullets in their sources."""
