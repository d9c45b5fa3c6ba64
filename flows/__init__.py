"""Prefect flows: the pipeline's stages as Prefect tasks (``daily``), nothing more."""
