import sys

from observatory.cli import main

sys.exit(main())
