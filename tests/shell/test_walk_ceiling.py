"""AWSENV_CEILING bounds the walk to the nearest .awsenv, the same way in every walk.

The prompt hooks of bash and zsh (the walk inside ``_awsenv_hook``), fish's two
walks (named captures for fish >= 3.4, substitutions for older fish) and
Python's ``awsenv.project.file.find`` (used by `awsenv allow` and the hook when
the shell passes no file) must stop at the same place, or the hook and `allow`
would disagree on which file governs a directory. Each shell reports the file
its walk found: bash and zsh through a stand-in for ``_awsenv_run`` (which the
hook calls with it), so no awsenv process runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.world import AWSENV

from awsenv.project.file import find

pytestmark = pytest.mark.shells

# Reads NUL-separated (start, ceiling) pairs on stdin ("-": unset), prints what the
# hook's walk found for each, NUL-terminated. `cd -q` (zsh): no chpwd hook run.
DRIVER = r"""
_awsenv_run() { printf '%s\0' "$2"; return 255; }
while IFS= read -r -d '' start && IFS= read -r -d '' ceil; do
  CD "$start" || exit 9
  if [[ $ceil == - ]]; then unset AWSENV_CEILING; else AWSENV_CEILING=$ceil; fi
  _AWSENV_TREE=none
  _awsenv_hook
done
"""
FISH_DRIVER = r"""
set -l probed $_awsenv_captures
set -l args (cat | string split0)
for i in (seq 1 2 (count $args))
    cd $args[$i]
    set -e AWSENV_CEILING
    test "$args[(math $i + 1)]" = -; or set -g AWSENV_CEILING $args[(math $i + 1)]
    _awsenv_find; set -l a $_awsenv_f
    set _awsenv_captures 0; _awsenv_find; set -l b $_awsenv_f
    set _awsenv_captures $probed
    printf '%s\0%s\0' $a $b
end
"""


def cases(root: Path) -> list[tuple[Path, str, str]]:
    """(start, AWSENV_CEILING or "-" for unset, the file expected)."""
    root.mkdir()
    above = root / ".awsenv"
    above.write_text("dev\n")
    top = root / "top"
    start = top / "a" / "b"
    start.mkdir(parents=True)
    inner = root / "inner"
    (inner / "x").mkdir(parents=True)
    (inner / ".awsenv").write_text("ops\n")
    spaced = root / "sp ace"
    (spaced / "x").mkdir(parents=True)
    return [
        (start, "-", str(above)),                       # unbounded
        (start, str(top), ""),                          # stops at top
        (start, f"{top}/", ""),                         # trailing slash
        (start, f"{top}//", ""),                        # several
        (top, str(top), ""),                            # starting at the ceiling
        (start, str(root), str(above)),                 # a file in the ceiling counts
        (inner / "x", str(inner), str(inner / ".awsenv")),
        (start, "top", str(above)),                     # relative: ignored
        (start, "", str(above)),                        # empty: ignored
        (start, "/", str(above)),                       # the root: no bound
        (start, str(root / "elsewhere"), str(above)),   # not on the way: no bound
        (top, str(start), str(above)),                  # below the start: not passed
        (spaced / "x", str(spaced), ""),
    ]


def expected_by_python(tmp_path: Path) -> list[tuple[Path, str, str]]:
    table = cases(tmp_path / "w")
    for start, ceil, want in table:
        environ = {} if ceil == "-" else {"AWSENV_CEILING": ceil}
        found = find(start, environ)
        assert (str(found) if found else "") == want, (start, ceil)
    return table


def feed(table: list[tuple[Path, str, str]]) -> bytes:
    return b"".join(os.fsencode(s) + b"\0" + os.fsencode(c) + b"\0" for s, c, _ in table)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWSENV_", "_AWSENV"))}


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_the_hook_walk_stops_where_python_does(tmp_path: Path, shell: str) -> None:
    if not shutil.which(shell):
        pytest.skip(f"{shell} not installed")
    table = expected_by_python(tmp_path)
    init = subprocess.run([*AWSENV, "init", shell], capture_output=True, check=True).stdout
    script = tmp_path / f"init.{shell}"
    script.write_bytes(init)
    cd = "cd -q" if shell == "zsh" else "cd"
    driver = f"source {str(script)!r}\n" + DRIVER.replace("CD", cd)
    proc = subprocess.run([shell, "-c", driver], input=feed(table), capture_output=True,
                          env=clean_env(), timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    got = [os.fsdecode(x) for x in proc.stdout.split(b"\0")[:-1]]
    assert got == [want for _, _, want in table]


def test_both_fish_walks_stop_where_python_does(tmp_path: Path) -> None:
    if not shutil.which("fish"):
        pytest.skip("fish not installed")
    table = expected_by_python(tmp_path)
    init = subprocess.run([*AWSENV, "init", "fish"], capture_output=True, check=True).stdout
    script = tmp_path / "init.fish"
    script.write_bytes(init)
    proc = subprocess.run(["fish", "--no-config", "-c", f"source {str(script)!r}\n" + FISH_DRIVER],
                          input=feed(table), capture_output=True, env=clean_env(), timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    got = [os.fsdecode(x) for x in proc.stdout.split(b"\0")[:-1]]
    assert got == [x for _, _, want in table for x in (want, want)]
