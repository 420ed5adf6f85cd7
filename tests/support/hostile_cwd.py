"""A directory a cloned repository could be: modules that shadow what awsenv imports.

Each planted module appends the importing process's full command line
(``sys.orig_argv``) to a log and then turns itself into the real module, so a
victim process keeps working (as a real attack's would) and the test still
learns who imported it. A process is awsenv's when its command line names
awsenv; the AWS CLI or an SDK importing the directory's ``json.py`` themselves
(when a project sets PYTHONPATH) is their business, not a finding against awsenv.
"""

from __future__ import annotations

import ast
from pathlib import Path

# What awsenv's entry points import early (stdlib on the hot paths, the heavy ones on the
# full path) plus the interpreter's own start-up hooks and awsenv itself.
SHADOWED = ("json", "hashlib", "re", "typing", "pathlib", "dataclasses", "base64", "tempfile",
            "subprocess", "shlex", "datetime", "fcntl", "click", "boto3", "botocore", "keyring",
            "jinja2", "filelock", "platformdirs", "sitecustomize", "usercustomize")

SHADOW = '''\
import sys as _s
with open({log!r}, "a") as _f:
    _f.write(repr(list(getattr(_s, "orig_argv", _s.argv))) + "\\n")
if __name__ not in ("sitecustomize", "usercustomize"):
    import importlib as _il, os as _o
    _here = _o.path.dirname(_o.path.abspath(__file__))
    _s.path[:] = [p for p in _s.path if _o.path.abspath(p or ".") != _here]
    del _s.modules[__name__]
    _real = _il.import_module(__name__)
    _s.modules[__name__] = _real
    globals().update(_real.__dict__)
'''


def plant(directory: Path, log: Path) -> Path:
    """Fill ``directory`` with the shadows (and an ``awsenv/`` package, an ``awsenv.py``)."""
    directory.mkdir(parents=True, exist_ok=True)
    body = SHADOW.format(log=str(log))
    for name in SHADOWED:
        (directory / f"{name}.py").write_text(body)
    (directory / "awsenv.py").write_text(body)
    package = directory / "awsenv"
    package.mkdir(exist_ok=True)
    for name in ("__init__", "__main__"):
        (package / f"{name}.py").write_text(body)
    for sub in ("cli", "shells", "creds"):
        (package / sub).mkdir(exist_ok=True)
        (package / sub / "__init__.py").write_text(body)
    return directory


def importers(log: Path) -> list[list[str]]:
    """Every command line that imported a planted module."""
    if not log.exists():
        return []
    return [ast.literal_eval(line) for line in log.read_text().splitlines() if line]


def awsenv_importers(log: Path) -> list[list[str]]:
    """The command lines among them that are awsenv's own processes."""
    return [argv for argv in importers(log) if any("awsenv" in word for word in argv)]
