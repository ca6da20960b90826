"""Comcen Desktop core: domain model, storage, settings and the command line.

Nothing in this package imports Qt; import-linter checks that in CI.
"""

import time

__version__ = "0.1.0"

# Taken as early as the package is imported, so start-up can be logged as the
# operator feels it: from launching `comcen` to a painted map.
STARTED_AT = time.perf_counter()
