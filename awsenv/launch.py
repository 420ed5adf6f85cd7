"""The file awsenv bakes into hooks and ``credential_process`` lines.

``python -I /path/to/awsenv/launch.py ARGS`` runs this installation of awsenv
the same way whichever tool installed it (pip of any version, pipx, a
``--user`` install, a checkout): pip's console scripts differ (older ones
import ``re`` first, milliseconds on every SDK start) and carry no interpreter
flags. Run as a script under ``-I``, neither its own directory, the current
directory nor ``PYTHONPATH`` is on the import path. awsenv's package parent
is *appended* when the isolated interpreter would not see it by itself (the
user site of ``pip install --user``, a checkout), so nothing there can shadow
the standard library. Nothing else is imported here: the credential cache hit
is measured against one interpreter start.
"""

import os
import sys

if __name__ == "__main__":
    _parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if _parent not in sys.path:
        sys.path.append(_parent)
    from awsenv.cli import main

    sys.exit(main())
