"""``python -m studio``: the command line, which lives at the edge (``cli/``) beside ``app.py`` and ``ui/``.

This entry point is the one place the domain names a layer above it; nothing imports it.
"""

import sys

from cli.main import main

sys.exit(main())
