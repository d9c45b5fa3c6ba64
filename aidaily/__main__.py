"""``python -m aidaily`` runs the CLI."""

from aidaily.cli import main

main()
