"""The picker handed to fzf, for people who set ``"picker": "fzf"`` in awsenv's settings.

The rows are :mod:`awsenv.picker`'s, in its order (recent choices first,
``[PROD]`` marked, the same columns), so switching the setting changes the
keys, not what is offered. fzf draws on the terminal itself (``/dev/tty``),
so stdout stays the shell hook's answer, as with the builtin picker.

The rows go to fzf's stdin through a pipe, each after its index and a tab
(``--with-nth`` hides the index, so the filter never matches it): the chosen
line maps back to its row by that index, whatever the row's text. Nothing of
the rows is in fzf's argv, which other local users can read in ``ps``. Every
field goes through :func:`awsenv.textsafe.printable` (names come from the AWS
config and the portal), so no row carries a control character, a tab or a
newline that could split it or drive the terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from awsenv import fastsettings
from awsenv.errors import AwsenvError
from awsenv.picker import Candidate, row_fragments, widths_of
from awsenv.textsafe import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# fzf's exit codes: 0 a choice, 1 no match (Enter on nothing), 130 Esc/Ctrl-C.
LEFT = (1, 130)
# The builtin picker's colours (picker.pick's style) as SGR codes for fzf's --ansi.
SGR = {"class:prod": "\x1b[1;31m", "class:detail": "\x1b[90m"}


def line(c: Candidate, widths: tuple[int, int, int]) -> str:
    """One row as the builtin picker shows it (without its pointer: fzf draws its own)."""
    out = []
    for style, text in row_fragments(c, widths, selected=False):
        text = text.rstrip("\n")
        sgr = SGR.get(style.strip())
        out.append(f"{sgr}{text}\x1b[0m" if sgr and text else text)
    return "".join(out).removeprefix("  ")


def feed(candidates: Sequence[Candidate]) -> bytes:
    """fzf's stdin: ``INDEX<TAB>ROW`` per line."""
    widths = widths_of(candidates)
    return "".join(f"{i}\t{line(c, widths)}\n" for i, c in enumerate(candidates)).encode(
        "utf-8", "replace")


def argv(fzf: str, title: str) -> list[str]:
    """fzf's command line: options only, no row (the rows go over the pipe)."""
    return [fzf, "--ansi", "--no-multi", "--layout=reverse", "--height=~40%",
            "--delimiter=\t", "--with-nth=2..", "--tiebreak=index",
            f"--prompt={printable(title)}> "]


def pick(candidates: Sequence[Candidate], *, title: str = "profile") -> Candidate | None:
    """The row chosen in fzf; None when the person left it (Esc, Ctrl-C, Enter on no match).

    fzf missing from PATH, or failing, is one line naming the fix (exit 1):
    the setting asked for fzf, so the builtin picker does not open instead.
    """
    if not candidates:
        return None
    builtin = f'set "picker": "builtin" in {fastsettings.path(os.environ)}'
    fzf = shutil.which("fzf")
    if fzf is None:
        raise AwsenvError('the "picker" setting is "fzf" but no fzf is on PATH',
                          f"install fzf, or {builtin}")
    try:
        proc = subprocess.run(argv(fzf, title), input=feed(candidates),
                              stdout=subprocess.PIPE, check=False)
    except OSError as exc:
        raise AwsenvError(f"fzf could not start ({exc.strerror})", builtin) from None
    if proc.returncode in LEFT:
        return None
    index, tab, _ = proc.stdout.partition(b"\t")
    if proc.returncode != 0 or not tab or not index.isdigit() or int(index) >= len(candidates):
        raise AwsenvError(f"fzf failed (exit {proc.returncode})",
                          f"check FZF_DEFAULT_OPTS, or {builtin}")
    return candidates[int(index)]

