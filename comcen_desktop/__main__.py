import sys

from comcen_desktop.cli import main

sys.exit(main())
