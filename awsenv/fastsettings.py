"""awsenv's settings file read plainly, for the paths that must not load :mod:`awsenv.settings`.

:mod:`awsenv.settings` imports json, dataclasses and pathlib (about 15 ms):
too much for `awsenv use` in profile mode (which needs the default shell
mode) and for the picker's first screen (which needs the ``picker``
setting). This reads one top-level value with the fast paths' modules and
the same trust rule (:func:`awsenv.locations.read_private`). It never
reports: anything it cannot read plainly (a linked, unsafe or damaged file, a
value awsenv does not know) is None, and the caller asks
:func:`awsenv.settings.load`, which says what is wrong in one line.

The values each setting may take live here, so both readers share them.
"""

from __future__ import annotations

import os

from awsenv import fastjson, locations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

FILE = "settings.json"
# Each setting's values, its default first.
SHELL_MODES: tuple[str, ...] = ("profile", "env")
PICKERS: tuple[str, ...] = ("builtin", "fzf")


def path(environ: Mapping[str, str]) -> str:
    """The settings file (``Paths.settings_file``) as a string."""
    return os.path.join(locations.app_dirs(environ)[0], FILE)


def value(environ: Mapping[str, str], key: str, allowed: tuple[str, ...]) -> str | None:
    """``key`` from the settings file (``allowed[0]`` when the file or the key is absent);
    None when only :func:`awsenv.settings.load` can say."""
    where = path(environ)
    if not os.path.lexists(where):
        return allowed[0]
    blob = locations.read_private(where)
    if blob is None:
        return None
    try:
        obj = fastjson.loads(blob.decode("utf-8").strip())
    except ValueError:
        return None
    found = obj.get(key, allowed[0]) if isinstance(obj, dict) else None
    return found if found in allowed else None
