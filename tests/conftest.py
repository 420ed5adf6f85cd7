"""Test isolation: nothing a test does reaches the real machine's state.

The autouse fixture points HOME, every XDG directory, AWS_CONFIG_FILE and the
keyring at a temporary tree, and removes AWS_* variables inherited from the
developer's shell, for this process and every subprocess it starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from support import signals  # noqa: E402
from support.other_user import other_user  # noqa: E402,F401  (a real second local user)

TEST_KEYRING = "support.file_keyring.TestKeyring"
# Set by tests/pythons: this run is against awsenv installed from its wheel, never the checkout.
INSTALLED_VAR = "AWSENV_TESTS_INSTALLED_WHEEL"


def pytest_configure(config: pytest.Config) -> None:
    # Started in the background (`make test &` in a script, nohup), the suite would pass
    # SIGINT ignored to every awsenv it starts, and the Ctrl-C tests would fail.
    signals.unignore_for_children()
    if os.environ.get(INSTALLED_VAR):
        import awsenv

        where = Path(awsenv.__file__).resolve()
        if where.parent == REPO / "awsenv":
            raise pytest.UsageError(f"{INSTALLED_VAR} is set but awsenv was imported from the "
                                    f"checkout ({where}): run pytest outside {REPO}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the tests of the one throwaway Secret Service run on one worker.

    They share its default collection (fixed item names such as ``awsenv:corp``):
    run side by side they would read each other's items. Everything else has a
    temporary tree, emulator and port of its own and spreads over the workers
    (`--dist loadgroup`, as the Makefile runs it).
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    # The long loops (`slow`: up to a minute each, most of it waiting on a rate limit or a
    # kill loop) go first, so they run beside the short tests instead of after them: last,
    # one of them kept a single worker busy for 50 s while the others sat idle. xdist hands
    # tests out in collection order; sorted() is stable, so the rest keep theirs.
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("slow") is None)
    for item in items:
        if item.get_closest_marker("keyring") is not None:
            item.add_marker(pytest.mark.xdist_group("secret-service"))


def write_test_keyring_config(config_home: Path) -> Path:
    """keyring's config file (under XDG_CONFIG_HOME) selecting the file test backend."""
    folder = config_home / "python_keyring"
    config_home.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "keyringrc.cfg"
    path.write_text(f"[backend]\ndefault-keyring = {TEST_KEYRING}\nkeyring-path = {TESTS}\n")
    path.chmod(0o600)  # private like everything in a test HOME (the hygiene test checks)
    return path


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                  request: pytest.FixtureRequest) -> Path:
    root = tmp_path_factory.mktemp("home")
    # Read before AWSENV_* variables are cleared below.
    secret_service = bool(os.environ.get("AWSENV_TEST_SECRET_SERVICE"))
    home = root / "home"
    home.mkdir(mode=0o700)
    for name in list(os.environ):
        if name.startswith(("AWS_", "AWSENV_", "_AWSENV")) or name in ("BROWSER",):
            monkeypatch.delenv(name, raising=False)
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Never a real browser from a test.
    monkeypatch.setenv("BROWSER", "false")
    if request.node.get_closest_marker("keyring") is None:
        # Named in keyring's own config file, not PYTHON_KEYRING_BACKEND + PYTHONPATH:
        # awsenv starts its children isolated (`python -I`: no PYTHONPATH), and a
        # keyringrc.cfg's keyring-path is how keyring itself finds a backend then.
        write_test_keyring_config(home / ".config")
        monkeypatch.setenv("AWSENV_TEST_KEYRING_FILE", str(root / "test-keyring.json"))
    else:
        if not secret_service:
            # Only the throwaway daemon from tests/with-secret-service, never a desktop keyring.
            pytest.skip("needs the test Secret Service: run via `make test`")
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    pythonpath = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", pythonpath)
    # In-process keyring users must not reuse a backend chosen before the env changed.
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    return home


@pytest.fixture(autouse=True)
def no_leftover_deadline() -> Iterator[None]:
    """A CLI run in this process (``awsenv.cli.app.run``) starts the command's budget for
    Identity Center (awsenv.deadline) and installs its listener; a process exits after
    one command, a test worker does not. Left running, the budget of one test's command
    expired under a later test's in-process sign-in ("RegisterClient failed: timed out"
    at once, 30 s after an earlier test's `run`), depending on which tests shared a worker.
    """
    yield
    module = sys.modules.get("awsenv.deadline")
    if module is not None:
        module.end()
        module.listen(None)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A 0755 work directory for project trees (tmp_path's parents are private)."""
    d = tmp_path / "work"
    d.mkdir()
    d.chmod(0o755)
    return d


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch):
    """A running IAM Identity Center emulator (auto-approving, no poll interval) whose
    AWS_ENDPOINT_URL_* variables are in os.environ, so subprocesses use it too."""
    from awsenv.emulator import Directory, Emulator

    with Emulator(directory=Directory.default(), auto_approve=True, device_interval=0) as emu:
        for name, value in emu.env().items():
            monkeypatch.setenv(name, value)
        yield emu
