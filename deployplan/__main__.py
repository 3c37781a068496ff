"""``python -m deployplan``."""

from deployplan.cli import main

raise SystemExit(main())
