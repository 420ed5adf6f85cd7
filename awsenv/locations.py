"""Where things live, as plain strings from an environment mapping.

The credential cache hit needs two of these locations and must not pay for
pathlib or dataclasses (several milliseconds on every SDK client start), so
the rules live here once and :class:`awsenv.paths.Paths` wraps them in Path
objects for everything else. stdlib only (platformdirs off XDG systems).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs ~5 ms on this path
if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "awsenv"


def home(env: Mapping[str, str]) -> str:
    return env.get("HOME") or os.path.expanduser("~")


def aws_config_file(env: Mapping[str, str]) -> str:
    cfg = env.get("AWS_CONFIG_FILE")
    return os.path.expanduser(cfg) if cfg else os.path.join(home(env), ".aws", "config")


def app_dirs(env: Mapping[str, str]) -> tuple[str, str, str]:
    """Config, data and cache directories.

    On XDG systems they are read from ``env`` itself (not os.environ), so a
    sandbox or test can hand a child environment to core code; elsewhere
    platformdirs knows the platform's conventions.
    """
    if sys.platform in ("darwin", "win32"):
        import platformdirs

        return (platformdirs.user_config_dir(APP, appauthor=False),
                platformdirs.user_data_dir(APP, appauthor=False),
                platformdirs.user_cache_dir(APP, appauthor=False))
    base = home(env)

    def xdg(var: str, default: str) -> str:
        value = env.get(var, "").strip()
        return os.path.join(value if value and os.path.isabs(value)
                            else os.path.join(base, default), APP)

    return (xdg("XDG_CONFIG_HOME", ".config"), xdg("XDG_DATA_HOME", ".local/share"),
            xdg("XDG_CACHE_HOME", ".cache"))


def runtime_dir(env: Mapping[str, str], cache_dir: str | None = None) -> str:
    """tmpfs-backed ``$XDG_RUNTIME_DIR/awsenv`` when the OS has one, else under the cache dir."""
    root = env.get("XDG_RUNTIME_DIR")
    if root and os.path.isdir(root):
        return os.path.join(root, APP)
    return os.path.join(app_dirs(env)[2] if cache_dir is None else cache_dir, "runtime")


def credentials_dir(runtime: str) -> str:
    """Role credential cache: private, in the runtime dir."""
    return os.path.join(runtime, "credentials")


def entry_script() -> str | None:
    """The installed ``awsenv`` console script of this interpreter, if there is one.

    The script pip writes next to the interpreter (a venv's or pipx's ``bin/``),
    or the one this process was started as. Only a Python script counts: a
    Windows ``awsenv.exe`` launcher cannot be handed to the interpreter.
    """
    candidates = [os.path.join(os.path.dirname(sys.executable), "awsenv")]
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if os.path.basename(argv0) == "awsenv":
        candidates.append(os.path.realpath(argv0))
    for candidate in candidates:
        try:
            with open(candidate, "rb") as handle:
                if handle.read(2) == b"#!":
                    return os.path.abspath(candidate)
        except OSError:
            continue
    return None


def awsenv_command() -> list[str]:
    """The absolute, isolated command that runs this installation of awsenv.

    Baked into shell hooks and ``credential_process`` lines and used to start
    awsenv's own children, so no PATH lookup or shim runs later. It must never
    import code from wherever it happens to run: ``python -m`` and ``-c`` put the
    current directory first on ``sys.path`` (a cloned repository's ``json.py``
    or ``awsenv/`` would run as the user), and ``PYTHONPATH`` may be a
    project's. So the interpreter always starts isolated: ``-I`` (no cwd, no
    ``PYTHON*`` variables, no user site) in a virtual environment, the usual
    home of awsenv; ``-E`` with the entry script outside one, where a ``pip
    install --user`` needs the user site (the script's own ``bin/`` is then
    first on the path, never the cwd). ``-m`` only ever runs under ``-I``.
    """
    exe = sys.executable
    in_venv = sys.prefix != sys.base_prefix
    script = entry_script()
    if script is not None and os.name != "nt":
        return [exe, "-I" if in_venv else "-E", script]
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if _importable_isolated(package_parent):
        return [exe, "-I", "-m", APP]
    # A source checkout or a PYTHONPATH install: name the package's directory
    # explicitly, and the user site when awsenv's dependencies may live there.
    boot = f"import sys;sys.path.insert(0,{package_parent!r});"
    if not in_venv:
        boot += "import site;site.addsitedir(site.getusersitepackages());"
    return [exe, "-I", "-c", boot + "from awsenv.cli import main;sys.exit(main())"]


def _importable_isolated(package_parent: str) -> bool:
    """Would ``python -I -m awsenv`` find this same package?

    Under ``-I`` only the interpreter's own and site-packages entries (with
    their ``.pth`` additions, e.g. an editable install) stay on the path: not
    the cwd, ``PYTHONPATH`` or the user site.
    """
    import site  # already imported at start-up unless -S

    # sys.path[0] is the cwd or the script's directory; PYTHONPATH follows it.
    dropped = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    if site.ENABLE_USER_SITE and site.USER_SITE:
        dropped.add(os.path.abspath(site.USER_SITE))
    if sys.flags.isolated:  # this process already started isolated: its path is the answer
        dropped = set()
    kept = {os.path.abspath(p) for p in sys.path[1:] if p} - dropped
    return os.path.abspath(package_parent) in kept


def template_dir() -> str:
    """Where the shell templates are: ``awsenv/_shell`` in a wheel, else the checkout's ``shell/``.

    The wheel force-includes ``shell`` as ``awsenv/_shell`` (pyproject.toml); an
    editable install or a source checkout has only the top-level directory.
    """
    package = os.path.dirname(os.path.realpath(__file__))
    shipped = os.path.join(package, "_shell")
    if os.path.isdir(shipped):
        return shipped
    checkout = os.path.join(os.path.dirname(package), "shell")
    if os.path.isdir(checkout):
        return checkout
    raise FileNotFoundError(f"awsenv shell templates not found in {shipped} or {checkout}")
