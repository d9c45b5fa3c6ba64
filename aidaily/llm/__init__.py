"""The LLM client: structured output, retries, concurrency, budget, call log and cache."""
