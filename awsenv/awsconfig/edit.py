"""Byte-preserving edits of the user's AWS config.

The file is the user's: comments, blank lines, ordering, indentation, CRLF and
a missing final newline all survive; only the lines awsenv changes differ.
Edits go through ``names.scan`` (configparser's own line rules) so a key is
found exactly where botocore would find it.

Writes happen under an exclusive lock keyed by the config path.
``write_config(..., expect=old)`` *fails* if the file changed since ``old`` was
read (the caller re-runs); ``update_config(env, fn)`` instead holds the lock
across read → ``fn`` → write, so concurrent awsenv processes serialise and
every change lands (what ``configure`` and ``sync`` use).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from awsenv import fsutil
from awsenv.awsconfig.names import Line, scan, section_identity
from awsenv.awsconfig.read import display_path, parse_error
from awsenv.environment import Environment
from awsenv.errors import ConfigError

BEGIN_MARKER = (
    "# BEGIN awsenv managed profiles (do not edit: `awsenv sync` rewrites this block)"
)
END_MARKER = "# END awsenv managed profiles"
_BEGIN_PREFIX = "# BEGIN awsenv managed profiles"
# Lower case only: configparser lower-cases keys, so that is how they are matched.
_KEY = re.compile(r"[a-z0-9_][a-z0-9_.-]*")
_PREFIX = re.compile(r"(?P<prefix>\s*[^=:]*?\s*[=:]\s*)(?P<value>.*)$")


@dataclass
class _Row:
    """A mutable output line: content plus its original terminator."""

    body: str
    end: str


def _eol(text: str) -> str:
    """The file's line-ending style (first one seen), LF for new files."""
    match = re.search(r"\r\n|\n|\r", text)
    return match.group(0) if match else "\n"


def _render(rows: list[_Row], text: str) -> str:
    """Join rows, keeping the original final-newline state."""
    if not rows:
        return ""
    eol = _eol(text)
    final_newline = text == "" or text.endswith(("\n", "\r"))
    for row in rows[:-1]:
        if not row.end:
            row.end = eol
    if final_newline:
        rows[-1].end = rows[-1].end or eol
    else:
        rows[-1].end = ""
    return "".join(r.body + r.end for r in rows)


def _rows(lines: list[Line]) -> list[_Row]:
    return [_Row(line.text, line.end) for line in lines]


def _check_value(key: str, value: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(f"invalid config key {key!r}")
    if any(c in value for c in "\r\n") or value != value.strip():
        raise ValueError(f"value for {key!r} must be one line without edge spaces")


def _identity(header: str) -> tuple[str, str]:
    ident = section_identity(header)
    return ident if ident else ("raw", header)


def upsert_section(text: str, header: str, values: Mapping[str, str]) -> str:
    """Set ``values`` in ``[header]``; create the section if it is missing.

    The section is matched as botocore names it (``[profile  x]`` and
    ``[profile "x"]`` are profile ``x``; when spelled twice, the last one, which
    botocore uses). Existing keys change in place, new keys go after the
    section's last setting with its indentation; a new section goes at the end,
    before the awsenv managed block if there is one.
    """
    if not header or any(c in header for c in "[]\r\n"):
        raise ValueError(f"invalid section header {header!r}")
    for key, value in values.items():
        _check_value(key, value)
    lines = scan(text)
    want = _identity(header)
    matches = [
        ln.index for ln in lines
        if ln.kind == "header" and ln.section != "DEFAULT" and _identity(ln.section or "") == want
    ]
    if not matches:
        return _append_section(text, lines, header, values)
    start = matches[-1]
    stop = next(
        (ln.index for ln in lines[start + 1:] if ln.kind == "header"), len(lines)
    )
    rows = _rows(lines)
    drop: set[int] = set()
    pending = dict(values)
    last_setting = start
    indent: str | None = None
    for ln in lines[start + 1:stop]:
        if ln.kind not in ("option", "continuation"):
            continue
        last_setting = ln.index
        if ln.kind != "option":
            continue
        indent = _leading(ln.text)
        if ln.option in pending:
            rows[ln.index].body = _replace_value(ln.text, pending.pop(ln.option))
            # Continuation lines are part of the old value (a nested block): gone.
            drop.update(_continuations(lines, ln.index, stop))
    if indent is None:
        # Right after the header: a following line indented deeper than the new
        # keys would become their continuation, so match its indentation.
        indent = _next_indent(lines, last_setting + 1)
    out: list[_Row] = []
    for i, row in enumerate(rows):
        if i not in drop:
            out.append(row)
        if i == last_setting:
            out.extend(_Row(f"{indent}{k} = {v}", "") for k, v in pending.items())
    return _render(out, text)


def _leading(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _next_indent(lines: list[Line], start: int) -> str:
    """Indentation of the next line that is not blank or a comment ("" at the end)."""
    for ln in lines[start:]:
        if ln.kind not in ("blank", "comment"):
            return _leading(ln.text)
    return ""


def _continuations(lines: list[Line], index: int, stop: int) -> list[int]:
    """Indices of the continuation lines of the option at ``index``."""
    found = []
    for ln in lines[index + 1:stop]:
        if ln.kind == "continuation":
            found.append(ln.index)
        elif ln.kind not in ("blank", "comment"):
            break
    return found


def _replace_value(body: str, value: str) -> str:
    """The option line with only its value changed (key spelling and spacing kept)."""
    match = _PREFIX.match(body)
    if match is None:  # pragma: no cover - scan() classified it as an option
        return body
    old = match.group("value").strip()
    if old == value:
        return body
    prefix = match.group("prefix")
    if not prefix[-1].isspace() and not old:
        prefix += " "
    return prefix + value


def _append_section(text: str, lines: list[Line], header: str, values: Mapping[str, str]) -> str:
    rows = _rows(lines)
    block = _find_block(lines)
    at = block[0] if block else len(rows)
    indent = _next_indent(lines, at)
    new = [_Row(f"[{header}]", "")] + [_Row(f"{indent}{k} = {v}", "") for k, v in values.items()]
    if at > 0 and rows[at - 1].body.strip():
        new.insert(0, _Row("", ""))
    if at < len(rows):
        new.append(_Row("", ""))
    rows[at:at] = new
    return _render(rows, text)


# --- the awsenv managed block -------------------------------------------------


def _find_block(lines: list[Line]) -> tuple[int, int] | None:
    """(BEGIN index, END index) or None; ConfigError if the markers are damaged."""
    begins = [ln.index for ln in lines if ln.kind == "comment"
              and ln.text.strip().startswith(_BEGIN_PREFIX)]
    ends = [ln.index for ln in lines if ln.kind == "comment"
            and ln.text.strip().startswith(END_MARKER)]
    if not begins and not ends:
        return None
    fix = "keep exactly one BEGIN/END pair (or delete both markers and run `awsenv sync`)"
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        first = min(begins + ends) + 1
        raise ConfigError(f"the awsenv managed block markers near line {first} are damaged", fix)
    return begins[0], ends[0]


def managed_block(text: str) -> str | None:
    """The block's body with LF line ends (None when there is no block)."""
    lines = scan(text)
    found = _find_block(lines)
    if found is None:
        return None
    return "".join(ln.text + "\n" for ln in lines[found[0] + 1:found[1]])


def replace_managed_block(text: str, body: str) -> str:
    """Put ``body`` between the markers (appending the block if absent).

    ``body=""`` removes the block and the blank line awsenv put before it.
    Body lines are written with the file's line endings.
    """
    lines = scan(text)
    found = _find_block(lines)
    rows = _rows(lines)
    body_rows = [_Row(b, "") for b in body.splitlines()]
    if found is None:
        if not body_rows:
            return text
        new = [_Row(BEGIN_MARKER, ""), *body_rows, _Row(END_MARKER, "")]
        if rows and rows[-1].body.strip():
            new.insert(0, _Row("", ""))
        return _render(rows + new, text)
    begin, end = found
    if body_rows:
        rows[begin + 1:end] = body_rows
        return _render(rows, text)
    # Drop the empty separator line awsenv added before the block (exactly "").
    after_blank = end + 1 >= len(rows) or not rows[end + 1].body.strip()
    if begin > 0 and rows[begin - 1].body == "" and after_blank:
        begin -= 1
    del rows[begin:end + 1]
    return _render(rows, text)


def profile_names_outside_block(text: str) -> list[str]:
    """Profiles the user wrote (sync must not generate these names)."""
    lines = scan(text)
    block = _find_block(lines)
    names: dict[str, None] = {}
    for ln in lines:
        if block and block[0] <= ln.index <= block[1]:
            continue
        if ln.kind == "header" and ln.section != "DEFAULT":
            ident = section_identity(ln.section or "")
            if ident and ident[0] == "profile":
                names.setdefault(ident[1], None)
    return list(names)


# --- reading and writing the file --------------------------------------------


def read_text(env: Environment) -> str:
    """The config file's exact text ("" if missing)."""
    assert env.paths is not None
    return _read(_target(env.paths.aws_config_file), env)


def _read(path: Path, env: Environment) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigError(
            f"cannot read {_where(env, path)} ({exc.strerror})", "check its permissions"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise parse_error(path, _where(env, path), exc) from None


def _where(env: Environment, path: Path) -> str:
    assert env.paths is not None
    return display_path(path, env.paths.home)


def _target(path: Path) -> Path:
    """Write through a symlinked config (dotfile repos) instead of replacing the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _lock_path(env: Environment, target: Path) -> Path:
    assert env.paths is not None
    digest = hashlib.sha256(str(target.absolute()).encode()).hexdigest()[:20]
    return env.paths.runtime_dir / "locks" / f"aws-config-{digest}.lock"


def validate(text: str, path: Path, where: str) -> None:
    """Refuse to write what botocore could not read back."""
    import configparser

    cp = configparser.RawConfigParser()
    try:
        cp.read_file(io.StringIO(text, newline=None), source=str(path))
    except configparser.Error as exc:
        raise parse_error(path, where, exc) from None
    for section in cp.sections():
        for option in cp.options(section):
            value = cp.get(section, option)
            if value.startswith("\n") and any(
                "=" not in ln for ln in value.splitlines() if ln.strip()
            ):
                raise parse_error(path, where, ValueError(option))


def _write_locked(env: Environment, target: Path, text: str) -> None:
    where = _where(env, target)
    try:
        validate(text, target, where)
    except ConfigError as exc:
        # Blame the file as it is (with its own line numbers) if it is the culprit.
        validate(_read(target, env), target, where)
        raise ConfigError(
            f"refusing to write {where}: the result would not parse ({exc.message})",
            "this is an awsenv bug; please report it",
        ) from None
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = fsutil.FILE_MODE
    fsutil.atomic_write(target, text.encode("utf-8"), mode)


def write_config(env: Environment, new_text: str, *, expect: str | None = None) -> None:
    """Atomically replace the config with ``new_text``.

    With ``expect`` (the text the change was computed from), fail with a
    ConfigError if someone changed the file meanwhile instead of losing their
    edit; use ``update_config`` to have the change re-applied under the lock.
    """
    assert env.paths is not None
    target = _target(env.paths.aws_config_file)
    with fsutil.locked(_lock_path(env, target)):
        if expect is not None and _read(target, env) != expect:
            raise ConfigError(
                f"{_where(env, target)} changed while awsenv was editing it",
                "run the command again",
            )
        _write_locked(env, target, new_text)


def update_config(env: Environment, fn: Callable[[str], str]) -> tuple[str, str]:
    """Lock, read, ``new = fn(old)``, write if different; returns (old, new).

    ``fn`` may raise to abort; nothing is written then.
    """
    assert env.paths is not None
    target = _target(env.paths.aws_config_file)
    with fsutil.locked(_lock_path(env, target)):
        old = _read(target, env)
        # A file botocore cannot read is reported as it stands, before any edit.
        validate(old, target, _where(env, target))
        new = fn(old)
        if new != old:
            _write_locked(env, target, new)
    return old, new


def diff(old: str, new: str, path: str) -> str:
    """Unified diff for previews (``awsenv sync --diff``)."""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, fromfile=path, tofile=path):
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
