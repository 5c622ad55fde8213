"""`python -m mpmodel report|compare|calibrate`, the same as the `mpmodel` command."""

import sys

from mpmodel.history.cli import main

sys.exit(main())
