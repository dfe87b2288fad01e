import sys

from portal.cli import main

sys.exit(main())
