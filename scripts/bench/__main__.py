"""``python -m scripts.bench``: run the benchmarks (see the package's docstring)."""

import sys

from .cli import main

sys.exit(main())
