"""``python -m bot``: the same entry point as the ``foshan-bot`` console script."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
