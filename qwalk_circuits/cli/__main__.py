"""``python -m qwalk_circuits.cli``: the qwalk command."""

import sys

from . import main

sys.exit(main())
