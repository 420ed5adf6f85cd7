"""The file awsenv bakes into hooks and ``credential_process`` lines.

``python -I -S /path/to/awsenv/launch.py ARGS`` runs this installation of awsenv
the same way whichever tool installed it (pip of any version, pipx, a
``--user`` install, a checkout): pip's console scripts differ (older ones
import ``re`` first, milliseconds on every SDK start) and carry no interpreter
flags. Run as a script under ``-I``, neither its own directory, the current
directory nor ``PYTHONPATH`` is on the import path. awsenv's package parent
is *appended* when the isolated interpreter would not see it by itself (the
user site of ``pip install --user``, a checkout, and always under ``-S``), so
nothing there can shadow the standard library.

``-S`` skips ``site`` (about a fifth of an interpreter start: the site
directories, their ``.pth`` files, ``sitecustomize``) while only the standard
library and awsenv are imported, which is all the hot paths (the credential
cache hit, the hook, ``use``, completion) need. The first import of anything
else (click, botocore, keyring) runs ``site.main()`` first, so the full paths
see every site directory and ``.pth`` file as a plain start would. Nothing
else is imported here: the credential cache hit is measured against one
interpreter start.
"""

import os
import sys


class _SiteOnFirstNeed:
    """A meta path finder, first in line: before the first import from outside the
    standard library and awsenv, it runs what ``-S`` skipped, then steps aside."""

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        top = name.partition(".")[0]
        if top != "awsenv" and top not in sys.stdlib_module_names:
            ensure_site()
        return None


def ensure_site() -> None:
    """Run ``site.main()`` once if the interpreter started with ``-S``."""
    if _SiteOnFirstNeed in sys.meta_path:
        sys.meta_path.remove(_SiteOnFirstNeed)
        import site

        site.main()


if __name__ == "__main__":
    _parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if _parent not in sys.path:
        sys.path.append(_parent)
    if sys.flags.no_site:
        sys.meta_path.insert(0, _SiteOnFirstNeed)
    from awsenv.cli import main

    sys.exit(main(process=True))
