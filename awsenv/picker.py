"""The profile picker: type to filter, arrows to move, Enter to choose, Esc/Ctrl-C to leave.

`awsenv use`, `console`, `export` and `exec` open it when they get no profile
on a terminal (and callers with several candidates for a name may too).
Core-free on purpose: it knows nothing of the AWS config, only the rows it is
given (:class:`Candidate`), so any caller can offer any candidates.

It draws on the terminal itself (``/dev/tty``), never on stdout: through the
shell hook stdout is the pipe the hook's protocol answer travels in, and
`eval "$(awsenv export)"` reads stdout too. prompt_toolkit is imported inside
:func:`pick` only; this module's top level is stdlib-only (no dataclasses
either: the picker's first screen has a 150 ms budget at 15,000 profiles and
prompt_toolkit alone takes half of it), so building candidates costs no
terminal library and the hook/cache-hit paths never load it (a test pins that).
"""

from __future__ import annotations

import os
import sys
from typing import NamedTuple

from awsenv.textsafe import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

# Rows shown at once (fewer when the terminal is shorter).
HEIGHT = 12
# A lone Esc is told from the start of an arrow key's escape sequence by this
# pause (seconds); prompt_toolkit's default (0.5 s) makes Esc feel broken.
ESC_WAIT = 0.05


class Candidate(NamedTuple):
    """One row: a profile and what identifies it (each part also matched by the filter)."""

    name: str
    account_name: str | None = None
    account_id: str | None = None
    role: str | None = None
    region: str | None = None
    prod: bool = False
    recent: bool = False  # a recent choice (shown with a mark; callers order them first)

    def fields(self) -> tuple[str, ...]:
        return tuple(x for x in (self.name, self.account_name, self.account_id, self.role,
                                 self.region) if x)


def available(environ: Mapping[str, str] | None = None) -> bool:
    """Can a picker be drawn here: someone at a terminal that is not ``TERM=dumb``?

    stdin must be a terminal (the keys come from it) and ``/dev/tty`` must open
    (the rows go there). A dumb terminal (Emacs' shell, an editor's output
    pane) cannot move the cursor, so those keep the one-line answer.
    """
    environ = os.environ if environ is None else environ
    term = environ.get("TERM", "")
    if not term or term == "dumb":
        return False
    try:
        if not (sys.stdin and sys.stdin.isatty()):
            return False
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except (OSError, ValueError):
        return False
    os.close(fd)
    return True


def _subsequence(term: str, text: str) -> int | None:
    """How spread out ``term``'s letters are in ``text`` (0 = a substring); None: absent."""
    at = text.find(term)
    if at >= 0:
        return 0
    pos, first = 0, -1
    for ch in term:
        pos = text.find(ch, pos)
        if pos < 0:
            return None
        if first < 0:
            first = pos
        pos += 1
    return pos - first - len(term) + 1


def score(candidate: Candidate, query: str) -> tuple[int, int] | None:
    """How well ``candidate`` matches ``query`` (lower is better); None: it does not.

    Each space-separated term must match one field (name, account name, account
    id, role, region) as a substring or, failing that, as letters in order
    (``pdadm`` finds ``prod-admin``). Matches in the profile's name, at its start
    and as substrings rank first.
    """
    terms = query.lower().split()
    if not terms:
        return (0, 0)
    fields = [f.lower() for f in candidate.fields()]
    tier, spread = 0, 0
    for term in terms:
        best: tuple[int, int] | None = None
        for i, text in enumerate(fields):
            gap = _subsequence(term, text)
            if gap is None:
                continue
            here = (0 if i == 0 and text.startswith(term) else
                    1 if i == 0 and gap == 0 else
                    2 if gap == 0 else 3, gap)
            if best is None or here < best:
                best = here
        if best is None:
            return None
        tier, spread = max(tier, best[0]), spread + best[1]
    return (tier, spread)


def rank(candidates: Sequence[Candidate], query: str) -> list[Candidate]:
    """The candidates matching ``query``, best first; ties keep the given order
    (so recent choices, which callers put first, stay first)."""
    scored = [(s, i) for i, c in enumerate(candidates) if (s := score(c, query)) is not None]
    scored.sort()
    return [candidates[i] for _, i in scored]


def widths_of(candidates: Sequence[Candidate]) -> tuple[int, int, int]:
    """The name, account name and id/role columns' widths (each capped) for these rows."""
    cap = 32
    name = min(cap, max((len(c.name) for c in candidates), default=0))
    account = min(cap, max((len(c.account_name or "") for c in candidates), default=0))
    ident = min(cap + 13, max((len(_ident(c)) for c in candidates), default=0))
    return name, account, ident


def _ident(c: Candidate) -> str:
    return "/".join(x for x in (c.account_id, c.role) if x)


def _cell(text: str, width: int) -> str:
    text = printable(text)
    return (text[:width - 1] + "…" if len(text) > width else text).ljust(width)


def row_fragments(c: Candidate, widths: tuple[int, int, int],
                  selected: bool) -> list[tuple[str, str]]:
    """One row as prompt_toolkit (style, text) pieces: name, [PROD], account, id/role, region."""
    base = "class:selected" if selected else ""
    out: list[tuple[str, str]] = [(base, ("> " if selected else "  ")
                                   + _cell(c.name, widths[0]))]
    out.append((base + " class:prod" if c.prod else base, " [PROD] " if c.prod else " " * 8))
    rest = "  ".join(x for x in (_cell(c.account_name or "", widths[1]) if widths[1] else "",
                                 _cell(_ident(c), widths[2]) if widths[2] else "",
                                 printable(c.region or "")) if x)
    out.append((base + " class:detail", rest + (" ·recent" if c.recent else "")))
    out.append(("", "\n"))
    return out


def _toolkit() -> None:
    """Make prompt_toolkit's submodules importable without its package ``__init__``.

    That ``__init__`` imports the prompt sessions, dialogs and progress bars
    (``prompt_toolkit.shortcuts``) for its re-exports, which the picker never
    uses; its submodules import each other by full name, never through the
    package's namespace. So the package is entered as a bare module (found
    the usual way) and only the submodules :func:`pick` names are loaded.
    """
    if "prompt_toolkit" in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec("prompt_toolkit")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("prompt_toolkit is not installed")
    sys.modules["prompt_toolkit"] = importlib.util.module_from_spec(spec)


def pick(candidates: Sequence[Candidate], *, title: str = "profile",
         complete: Callable[[], Sequence[Candidate]] | None = None,
         total: int | None = None) -> Candidate | None:
    """Let the person at the terminal choose one of ``candidates``; None if they left.

    ``candidates`` are shown in the order given while nothing is typed (put
    recent choices first). With ``complete``, they are only the first rows
    (a screenful at least): the first screen is drawn from them, then
    ``complete()`` gives every row (the same first rows first), which the
    filter searches from then on, and ``total`` is their count meanwhile; so
    15,000 profiles cost the first screen nothing (keys typed meanwhile wait
    for the rows). Call only when :func:`available` says so. Esc, Ctrl-C,
    Ctrl-G and Ctrl-D on an empty filter leave without a choice; the picker's
    lines are erased either way, so the terminal shows what it did.
    """
    if not candidates:
        return None
    _toolkit()
    from prompt_toolkit.application import Application
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.data_structures import Point
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.input import create_input
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
    from prompt_toolkit.layout.dimension import Dimension
    from prompt_toolkit.layout.processors import BeforeInput
    from prompt_toolkit.output.vt100 import Vt100_Output
    from prompt_toolkit.styles import Style

    rows = list(candidates)
    widths = [widths_of(rows)]
    count = [total if complete is not None and total is not None else len(rows)]
    shown: list[Candidate] = list(rows)
    at = [0]  # selected index in `shown`
    top = [0]  # first visible index
    pending = [complete]  # the rest of the rows, read once the first screen is up

    def height() -> int:
        try:
            lines = app.output.get_size().rows
        except Exception:  # no size: the default
            lines = HEIGHT + 3
        return max(1, min(HEIGHT, lines - 3, len(shown) or 1))

    def refilter(_buf: Buffer) -> None:
        shown[:] = rank(rows, buf.text)
        at[0] = top[0] = 0

    def fill(_app: object) -> None:
        """After the first screen: every row, and the filter typed meanwhile applied to them."""
        more, pending[0] = pending[0], None
        if more is None or app.is_done:  # left before: the rest is not needed
            return
        rows[:] = more()
        widths[0] = widths_of(rows)
        count[0] = len(rows)
        if buf.text:
            refilter(buf)
        else:
            shown[:] = rows
        app.invalidate()

    def move(delta: int) -> None:
        if not shown:
            return
        at[0] = max(0, min(len(shown) - 1, at[0] + delta))
        h = height()
        if at[0] < top[0]:
            top[0] = at[0]
        elif at[0] >= top[0] + h:
            top[0] = at[0] - h + 1

    def listing() -> StyleAndTextTuples:
        h = height()
        out: StyleAndTextTuples = []
        for i in range(top[0], min(len(shown), top[0] + h)):
            out.extend(row_fragments(shown[i], widths[0], i == at[0]))
        if not shown:
            out.append(("class:detail", "  (no profile matches)\n"))
        return out

    def status() -> StyleAndTextTuples:
        found = count[0] if pending[0] is not None else len(shown)
        return [("class:detail", f"  {found}/{count[0]}  ↑↓ move · Enter choose · "
                                 "Esc cancel")]

    buf = Buffer(multiline=False, on_text_changed=refilter)
    keys = KeyBindings()

    @keys.add("up")
    @keys.add("c-p")
    @keys.add("c-k")
    def _up(event: object) -> None:
        move(-1)

    @keys.add("down")
    @keys.add("c-n")
    @keys.add("c-j")
    @keys.add("tab")
    def _down(event: object) -> None:
        move(1)

    @keys.add("pageup")
    def _pgup(event: object) -> None:
        move(-height())

    @keys.add("pagedown")
    def _pgdown(event: object) -> None:
        move(height())

    @keys.add("enter")
    def _enter(event: object) -> None:
        if shown:
            app.exit(result=shown[at[0]])

    @keys.add("escape", eager=True)
    @keys.add("c-c")
    @keys.add("c-g")
    def _leave(event: object) -> None:
        app.exit(result=None)

    @keys.add("c-d", filter=Condition(lambda: not buf.text))
    def _eof(event: object) -> None:
        app.exit(result=None)

    prompt = Window(BufferControl(buf, input_processors=[
        BeforeInput([("class:prompt", f"{printable(title)}> ")])]), height=1)
    lines = Window(FormattedTextControl(listing, get_cursor_position=lambda: Point(0, 0),
                                        show_cursor=False),
                   height=lambda: Dimension.exact(height()), wrap_lines=False)
    bar = Window(FormattedTextControl(status), height=1)
    style = Style.from_dict({"selected": "reverse", "prod": "fg:ansired bold",
                             "detail": "fg:ansibrightblack", "prompt": "bold"})
    term = os.environ.get("TERM") or "xterm"
    with open("/dev/tty", "w", encoding="utf-8", errors="replace") as tty:
        app: Application[Candidate | None] = Application(
            layout=Layout(HSplit([prompt, lines, bar]), focused_element=prompt),
            key_bindings=keys, style=style, full_screen=False, erase_when_done=True,
            mouse_support=False, input=create_input(sys.stdin),
            output=Vt100_Output.from_pty(tty, term=term), after_render=fill)
        app.ttimeoutlen = ESC_WAIT
        try:
            return app.run()
        except (KeyboardInterrupt, EOFError):
            return None
