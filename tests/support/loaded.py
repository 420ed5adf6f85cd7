"""Run one awsenv command in a fresh interpreter and see which modules it loaded.

The fast paths are guarded by counts, not timings: each test pins the modules
its command may load beyond the interpreter's own start (what was in
``sys.modules`` before awsenv's entry point ran is left out).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

PROBE = """
import sys
before = set(sys.modules)
from awsenv.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("LOADED=" + ",".join(sorted(set(sys.modules) - before)) + "\\n")
sys.exit(rc)
"""


def run(args: list[str], environ: Mapping[str, str] | None = None
        ) -> tuple[bytes, set[str], int]:
    """(stdout, the modules loaded, the exit code) of ``awsenv ARGS`` under ``environ``."""
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                         env=None if environ is None else dict(environ), timeout=120,
                         check=False)
    loaded = res.stderr.decode(errors="replace").rpartition("LOADED=")[2].strip().split(",")
    return res.stdout, set(loaded), res.returncode
