"""The review page (``aidaily web`` / ``aidaily review D --web``): ``app.create_app``."""
