"""The pipeline: the stages of one run over typed results, the run report, the up-to-date check, the date lock."""
