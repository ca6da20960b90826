"""Comcen Desktop core: domain model, storage, settings and the command line.

Nothing in this package imports Qt; import-linter checks that in CI.
"""

__version__ = "0.1.0"
