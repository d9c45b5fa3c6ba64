"""Checks: numbers, entity names, the grounding of fact bullets in their sources, and a draft's quality score against a published issue."""
