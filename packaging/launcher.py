"""The frozen app's entry script. Kept to the entry point only: spawned children run it again."""

import sys

from desktop_app.entry import main

if __name__ == "__main__":
    sys.exit(main())
