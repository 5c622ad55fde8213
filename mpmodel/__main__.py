"""`python -m mpmodel report|compare|calibrate`, the same as the `mpmodel` command."""

import sys

from mpmodel.cli import main

sys.exit(main())
