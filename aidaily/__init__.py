"""aidaily: the daily AI news digest pipeline (core package: pure logic, no I/O frameworks)."""

__version__ = "0.1.0"
