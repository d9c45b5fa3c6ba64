"""CLI commands, one module each; each module has ``register(app)``.

Modules here import only typer (and the standard library) at the top: heavy imports go
inside the command functions so that ``aidaily --help`` starts fast.
"""
