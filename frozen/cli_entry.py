"""Entry script of the frozen `hmip` command-line executable (build.spec)."""

import sys

from hmip_desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
