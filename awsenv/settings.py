"""awsenv's own settings (not the AWS config): shell mode, picker, per-session defaults.

Kept as JSON in the XDG config dir (``Paths.settings_file``, 0600), never in a
project folder, so a cloned repository cannot change how awsenv behaves.
Keys awsenv does not know are kept on save (a newer version may have written
them). stdlib only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from awsenv import fastsettings, fsutil, locations
from awsenv.environment import Environment
from awsenv.errors import ConfigError

ShellMode = Literal["profile", "env"]
SHELL_MODES = fastsettings.SHELL_MODES
# What `awsenv use` (and export, exec, console) open without a profile on a terminal:
# awsenv's own picker, or fzf (awsenv.pickfzf).
PickerKind = Literal["builtin", "fzf"]
PICKERS = fastsettings.PICKERS
VERSION = 1


@dataclass(frozen=True)
class SessionSettings:
    """Defaults for the profiles ``awsenv sync`` generates for one session."""

    region: str | None = None
    name_template: str | None = None
    # `awsenv sync --include/--exclude` patterns, repeated by a plain `awsenv sync`
    # (awsenv.sync.filters says what they match).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    shell_mode: ShellMode = "profile"
    picker: PickerKind = "builtin"
    name_template: str | None = None
    sessions: dict[str, SessionSettings] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def for_session(self, key: str) -> SessionSettings:
        """Per-session values, falling back to the global name template."""
        own = self.sessions.get(key, SessionSettings())
        return replace(own, name_template=own.name_template or self.name_template)

    def with_session(self, key: str, **changes: str | tuple[str, ...] | None) -> Settings:
        sessions = dict(self.sessions)
        sessions[key] = replace(sessions.get(key, SessionSettings()), **changes)
        return replace(self, sessions=sessions)


def _bad(env: Environment, what: str) -> ConfigError:
    assert env.paths is not None
    return ConfigError(
        f"awsenv settings file {env.paths.settings_file} {what}",
        "fix it or delete it to start from the defaults",
    )


def _opt_str(env: Environment, obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise _bad(env, f"has a non-text '{key}'")


def _str_list(env: Environment, obj: dict[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _bad(env, f"has a '{key}' that is not a list of text")


def _read(env: Environment, path: Path) -> bytes | None:
    """The settings file's bytes (None: there is none), refused if someone else controls it.

    A symlink is fine (dotfile managers make them) but what it reaches must be
    a regular file of this user that no one else can write, in a config dir
    only the user controls; opened without blocking, so a FIFO never hangs.
    """
    problem = locations.unsafe_dir(os.fspath(path.parent))
    if problem is not None:
        raise fsutil.unsafe_dir_error(problem)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _bad(env, f"cannot be read ({exc.strerror})") from None
    try:
        why = locations.unsafe_file(os.fstat(fd))
        if why is not None:
            raise _bad(env, why)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read()
    finally:
        os.close(fd)


def load(env: Environment) -> Settings:
    """The settings, defaults when the file is missing; ConfigError if it is broken."""
    assert env.paths is not None
    path = env.paths.settings_file
    raw = _read(env, path)
    if raw is None:
        return Settings()
    try:
        obj = json.loads(raw)
    except ValueError:
        raise _bad(env, "is not valid JSON") from None
    if not isinstance(obj, dict):
        raise _bad(env, "is not a JSON object")
    mode = obj.get("shell_mode", "profile")
    if mode not in SHELL_MODES:
        raise _bad(env, f"has shell_mode {mode!r} (expected profile or env)")
    picker = obj.get("picker", "builtin")
    if picker not in PICKERS:
        raise _bad(env, f"has picker {picker!r} (expected builtin or fzf)")
    sessions_raw = obj.get("sessions", {})
    if not isinstance(sessions_raw, dict):
        raise _bad(env, "has a 'sessions' that is not an object")
    sessions: dict[str, SessionSettings] = {}
    for key, value in sessions_raw.items():
        if not isinstance(value, dict):
            raise _bad(env, f"has a non-object entry for session '{key}'")
        sessions[key] = SessionSettings(
            region=_opt_str(env, value, "region"),
            name_template=_opt_str(env, value, "name_template"),
            include=_str_list(env, value, "include"),
            exclude=_str_list(env, value, "exclude"),
        )
    known = {"version", "shell_mode", "picker", "name_template", "sessions"}
    return Settings(
        shell_mode=mode,
        picker=picker,
        name_template=_opt_str(env, obj, "name_template"),
        sessions=sessions,
        extra={k: v for k, v in obj.items() if k not in known},
    )


def _to_json(settings: Settings) -> dict[str, Any]:
    obj: dict[str, Any] = dict(settings.extra)
    obj["version"] = VERSION
    obj["shell_mode"] = settings.shell_mode
    if settings.picker != "builtin":
        obj["picker"] = settings.picker
    if settings.name_template:
        obj["name_template"] = settings.name_template
    sessions = {}
    for key, s in settings.sessions.items():
        entry: dict[str, Any] = {
            k: v for k, v in (("region", s.region), ("name_template", s.name_template)) if v}
        entry.update({k: list(v) for k, v in (("include", s.include), ("exclude", s.exclude))
                      if v})
        if entry:
            sessions[key] = entry
    obj["sessions"] = sessions
    return obj


def save(env: Environment, settings: Settings) -> None:
    assert env.paths is not None
    if settings.shell_mode not in SHELL_MODES:
        raise ValueError(f"shell_mode must be one of {SHELL_MODES}")
    data = json.dumps(_to_json(settings), indent=2, sort_keys=True) + "\n"
    fsutil.atomic_write(env.paths.settings_file, data)


def update(env: Environment, fn: Callable[[Settings], Settings]) -> Settings:
    """Read-modify-write under a lock, so two commands never drop each other's change."""
    assert env.paths is not None
    with fsutil.locked(env.paths.runtime_dir / "locks" / "settings.lock"):
        new = fn(load(env))
        save(env, new)
    return new


def session_defaults(env: Environment, session_key: str) -> dict[str, str]:
    """``{"region": …, "name_template": …}`` (only the set ones) for ``awsenv sync``."""
    s = load(env).for_session(session_key)
    return {k: v for k, v in (("region", s.region), ("name_template", s.name_template)) if v}
