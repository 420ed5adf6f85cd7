#!/usr/bin/env python3
"""Regenerate the completion files in this directory from awsenv's click commands.

Run after changing a command, an option or a choice (`make completions`); the
test suite fails while a committed file differs from what this writes. The
same rendering backs `awsenv completion SHELL`, so installed copies match.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from awsenv.cli.completion_spec import FILES, build, render  # noqa: E402


def outputs() -> dict[Path, bytes]:
    """Each completion file's path and exact bytes."""
    spec = build()
    return {HERE / FILES[shell]: render(shell, spec).encode("utf-8") for shell in FILES}


def main() -> int:
    for path, data in outputs().items():
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
