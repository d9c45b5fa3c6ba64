"""Stories: the day's window, AI relevance, ranking and near-duplicate merging."""
