"""The LLM prompt templates (jinja2), shipped with the package as ``aidaily.prompts``.

Edit the ``*.j2`` files here, or copy them to ``<home>/prompts/`` to override them for
one home; ``aidaily prompt STEP --date D`` prints a step's rendered messages.
"""
