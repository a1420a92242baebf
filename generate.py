#!/usr/bin/env python3
"""Entry script: `python generate.py` builds the default handouts; `--help` for more."""

import sys

from handouts.cli import main

if __name__ == "__main__":
    sys.exit(main())
