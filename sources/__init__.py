"""Source adapters, one module per site, behind ``sources.base.Source``."""
