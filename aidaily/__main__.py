"""``python -m aidaily`` runs the CLI."""

from aidaily.cli.app import main

main()
