"""Allows ``python -m awsenv``."""

from awsenv.cli import main

raise SystemExit(main(process=True))
