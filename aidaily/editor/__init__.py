"""The editor: plan, write, finalize and assemble a day's stories into a draft (model or extractive)."""
