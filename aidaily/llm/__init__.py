"""The model client and what it records.

- :mod:`~aidaily.llm.client`: :class:`LLMClient` (structured output, text, list_models)
- :mod:`~aidaily.llm.transport`: the httpx2 transport under the openai SDK that sees,
  times and bounds every HTTP attempt (the SDK does the retrying)
- :mod:`~aidaily.llm.calllog`: the ``llm_calls`` table, one row per attempt / cache hit
- :mod:`~aidaily.llm.cache`: the ``llm_cache`` table and its key
- :mod:`~aidaily.llm.budget`: token estimate and reservations
- :mod:`~aidaily.llm.usage`: :class:`LLMUsage` and :func:`run_usage` (a run's figures)
- :mod:`~aidaily.llm.schema`: JSON-schema helpers for structured output
"""
