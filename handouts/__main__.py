import sys

from handouts.cli import main

sys.exit(main())
