"""fish's walk to the nearest .awsenv: the capture-group walk (fish >= 3.4, no
command substitution) and the substituting walk for older fish find the same
file as Python does, for awkward directory names and every kind of entry."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.world import AWSENV

pytestmark = [pytest.mark.shells,
              pytest.mark.skipif(not shutil.which("fish"), reason="fish not installed")]

WEIRD = ["a b", "new\nline", "*", "[x]", "$HOME", "quote'd", 'dq"', "back\\slash", "-n", "é"]


def nearest(start: Path, *, stop_at_newline: bool = False) -> str:
    """The reference: the nearest .awsenv that exists or is a symlink, and is no directory.
    ``stop_at_newline``: the walk for fish < 3.4 gives up on reaching a parent
    whose path holds a newline (its command substitution would split it)."""
    d = start
    while True:
        c = d / ".awsenv"
        if (c.exists() or c.is_symlink()) and not c.is_dir():
            return str(c)
        if d == d.parent or (stop_at_newline and "\n" in str(d.parent)):
            return ""
        d = d.parent


def layout(root: Path) -> list[Path]:
    """Directories to start from: weird names, nested trees, a .awsenv directory,
    file and directory symlinks, a dangling symlink, a loop."""
    starts: list[Path] = []
    proj = root / "proj"
    (proj / "sub" / "deeper").mkdir(parents=True)
    (proj / ".awsenv").write_text("dev\n")
    starts += [proj, proj / "sub", proj / "sub" / "deeper"]
    for name in WEIRD:
        d = proj / name / "x"
        d.mkdir(parents=True)
        starts += [d, d.parent]
    inner = proj / "new\nline"
    (inner / ".awsenv").write_text("ops\n")  # nearer than proj's for new\nline/x
    dir_entry = root / "dirent" / "in"
    (root / "dirent" / ".awsenv").mkdir(parents=True)  # a directory: skipped
    dir_entry.mkdir()
    starts.append(dir_entry)
    link = root / "link" / "in"
    link.mkdir(parents=True)
    (root / "link" / ".awsenv").symlink_to(proj / ".awsenv")
    starts.append(link)
    dangling = root / "dangling" / "in"
    dangling.mkdir(parents=True)
    (root / "dangling" / ".awsenv").symlink_to(root / "missing")
    starts.append(dangling)
    todir = root / "todir" / "in"
    todir.mkdir(parents=True)
    (root / "todir" / ".awsenv").symlink_to(proj / "sub")  # symlink to a directory: skipped
    starts.append(todir)
    loop = root / "loop" / "in"
    loop.mkdir(parents=True)
    (root / "loop" / ".awsenv").symlink_to(".awsenv")  # a loop is a symlink: found
    starts.append(loop)
    starts += [root, Path("/")]
    return starts


def test_both_walks_find_what_python_finds(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    starts = layout(root)
    init = subprocess.run([*AWSENV, "init", "fish"], capture_output=True, check=True).stdout
    script = tmp_path / "init.fish"
    script.write_bytes(init)
    # Each start directory arrives NUL-separated on stdin; each answer goes out the same way.
    driver = (f"source {str(script)!r}\n" + r"""
test $_awsenv_captures = 1; and echo fast >&2
set -l probed $_awsenv_captures
for d in (cat | string split0)
    cd $d
    _awsenv_find; set -l a $_awsenv_f
    set _awsenv_captures 0; _awsenv_find; set -l b $_awsenv_f
    set _awsenv_captures $probed
    printf '%s\0%s\0' $a $b
end
""")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSENV_")}
    proc = subprocess.run(["fish", "--no-config", "-c", driver],
                          input=b"".join(os.fsencode(s) + b"\0" for s in starts),
                          capture_output=True, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    # fish >= 3.4 sets variables from named captures: the walk without substitutions is used.
    version = subprocess.run(["fish", "--version"], capture_output=True, text=True).stdout
    major, minor = (int(x) for x in version.split()[-1].split(".")[:2])
    new_fish = (major, minor) >= (3, 4)
    assert (b"fast" in proc.stderr) == new_fish, (version, proc.stderr)
    answers = proc.stdout.split(b"\0")[:-1]
    assert len(answers) == 2 * len(starts)
    for i, start in enumerate(starts):
        fast = os.fsencode(nearest(start))
        compat = os.fsencode(nearest(start, stop_at_newline=True))
        got = answers[2 * i: 2 * i + 2]
        assert got == [fast if new_fish else compat, compat], (start, got)
