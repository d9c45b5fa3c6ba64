"""The ``aidaily`` command line: the app in ``app``, one module per command."""
