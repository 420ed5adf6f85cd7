"""The real AWS clients against the profiles `awsenv sync` writes.

Clients: the AWS CLI v2 (Debian's ``awscli`` package, /usr/bin/aws), the AWS CLI v1
and boto3 from PyPI (this venv's ``aws``), and the AWS SDK for JavaScript v3
(``sdk.mjs`` over tests/interop/node_modules, installed by ``npm ci``). A client
that is not installed skips its tests, except under CI (``CI`` set), where it
fails them: CI must prove interop, not skip it.

The CLI v2 of Debian (2.9.x) ignores ``AWS_ENDPOINT_URL_*``, so every client runs
with a loopback HTTPS proxy (``_tlsproxy``) in ``HTTPS_PROXY`` that serves the
real AWS host names with a throwaway CA (``AWS_CA_BUNDLE``) and relays to the
emulator. The other clients (and awsenv) honour ``AWS_ENDPOINT_URL_*``, which
name the emulator's plain-HTTP URL, and so never touch the proxy.

One emulator and one proxy per module; each test gets its own home (the
autouse ``isolated_home``), signs in in-process and writes what ``awsenv sync``
wrote (run once per module and profile kind, replayed byte for byte after).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from interop._tlsproxy import TlsProxy, host_names
from support.world import AWSENV, World, configured_world, running_emulator

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
AWS_V2 = "/usr/bin/aws"
AWS_V1 = str(Path(sys.executable).with_name("aws"))
SDK_SCRIPT = HERE / "sdk.mjs"
CLIENTS = ("awscli-v2", "awscli-v1", "js-sdk-v3")
KINDS = ("awsenv", "native")
# The account/role every test uses, and the name `awsenv sync` gives it.
ACCOUNT = "111111111111"
ROLE = "Developer"
PROFILE = "dev-developer"
CLIENT_TIMEOUT = 90


def _missing(client: str) -> str | None:
    """Why ``client`` cannot run here, or None."""
    if client == "awscli-v2":
        if not os.access(AWS_V2, os.X_OK):
            return f"{AWS_V2} missing (apt-get install awscli)"
        return None
    if client == "awscli-v1":
        return None if os.access(AWS_V1, os.X_OK) else f"{AWS_V1} missing (pip install awscli)"
    if shutil.which("node") is None:
        return "node missing (apt-get install nodejs npm)"
    if not (HERE / "node_modules" / "@aws-sdk" / "credential-providers").is_dir():
        return "tests/interop/node_modules missing (npm ci --prefix tests/interop)"
    return None


def need(client: str) -> None:
    """Skip (or under CI fail) a test whose client is not installed."""
    why = _missing(client)
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"interop client {client} is required under CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    with running_emulator() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(emu: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsProxy]:
    host, _, port = emu.url.split("//", 1)[1].rstrip("/").rpartition(":")
    names = host_names(emu.region, ["eu-west-1", "us-west-2"])
    with TlsProxy((host, int(port)), names, tmp_path_factory.mktemp("ca")) as server:
        yield server


# (module's emulator URL, kind, awsenv command) -> the config text `awsenv sync` wrote for it.
_SYNCED: dict[tuple[str, str, str], str] = {}


@dataclass
class Interop:
    """A signed-in world with synced profiles of one kind, and the clients to run."""

    world: World
    proxy: TlsProxy
    kind: str
    profile: str = PROFILE
    awsenv: list[str] = field(default_factory=lambda: list(AWSENV))

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = self.world.environ(self.proxy.env())
        # The JS SDK nags about Node versions on stderr; keep stderr for real messages.
        env["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1"
        env.update(extra or {})
        return env

    def run(self, argv: list[str], extra: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, env=self.env(extra), capture_output=True, text=True,
                              timeout=CLIENT_TIMEOUT, check=False, input=input,
                              stdin=subprocess.DEVNULL if input is None else None)

    def cli(self, *args: str, extra: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        """This test's awsenv (the venv's, or the one under a path with a space)."""
        return self.run([*self.awsenv, *args], extra)

    def client_argv(self, client: str, *args: str) -> list[str]:
        if client == "awscli-v2":
            return [AWS_V2, *args]
        if client == "awscli-v1":
            return [AWS_V1, *args]
        return ["node", str(SDK_SCRIPT), *args]

    def aws(self, client: str, *args: str, extra: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return self.run(self.client_argv(client, *args), extra)

    def caller_identity_argv(self, client: str, profile: str | None) -> list[str]:
        """The client's GetCallerIdentity; ``profile`` None: credentials from the env."""
        if client == "js-sdk-v3":
            return self.client_argv(client, "chain")
        args = ["sts", "get-caller-identity", "--output", "json"]
        return self.client_argv(client, *args, *(["--profile", profile] if profile else []))

    def caller_identity(self, client: str, profile: str | None = PROFILE,
                        extra: dict[str, str] | None = None) -> dict[str, Any]:
        """{"account", "arn"} as the client sees it; fails the test on an error."""
        env = dict(extra or {})
        if client == "js-sdk-v3" and profile:
            env["AWS_PROFILE"] = profile
        r = self.run(self.caller_identity_argv(client, profile), env)
        assert r.returncode == 0, (client, r.stdout, r.stderr)
        return parse_identity(r.stdout)


def parse_identity(stdout: str) -> dict[str, Any]:
    """The AWS CLIs print STS's answer, sdk.mjs one JSON line: both to {"account", "arn"}."""
    data = json.loads(stdout)
    if "Account" in data:
        return {"account": data["Account"], "arn": data["Arn"]}
    return data


def assert_role(identity: dict[str, Any], account: str = ACCOUNT, role: str = ROLE) -> None:
    assert identity["account"] == account, identity
    assert f"/AWSReservedSSO_{role}_" in identity["arn"], identity


def sync_world(world: World, interop: Interop, kind: str, emu: Any) -> None:
    """Profiles as `awsenv sync` (or `sync --native`) writes them into world.config."""
    key = (emu.url, kind, " ".join(interop.awsenv))
    text = _SYNCED.get(key)
    if text is None:
        r = interop.cli("sync", *(["--native"] if kind == "native" else []))
        assert r.returncode == 0, r.stderr
        # The limit test_native_last_minutes shows, stated where the user syncs.
        assert ("refuse the profile in the last 5" in r.stderr) is (kind == "native")
        text = world.config.read_text()
        assert f"[profile {PROFILE}]" in text
        _SYNCED[key] = text
    else:
        world.config.write_text(text)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def interop(kind: str, emu: Any, proxy: TlsProxy, isolated_home: Path, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Interop:
    """Signed in to session corp (awsenv's own sign-in), profiles of ``kind`` synced."""
    world = configured_world(emu, isolated_home, tmp_path, monkeypatch, profiles=(),
                             guard_browser=True)
    world.login()
    result = Interop(world, proxy, kind)
    sync_world(world, result, kind, emu)
    return result


# -- awsenv installed from its wheel under a path with a space (built once) ---------------

@pytest.fixture(scope="session")
def spaced_awsenv(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``[entry]``: awsenv installed from a freshly built wheel into a venv whose path
    has a space (``.../with space/venv``).

    Built once per test run, not once per xdist worker: the first worker to get here
    builds under the run's shared base directory while holding a file lock, the
    others wait for it and use the same install (each build is seconds of CPU).
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the run's workers
    root = base / "spaced-install" / "with space"
    entry = root / "venv" / "bin" / "awsenv"
    root.parent.mkdir(exist_ok=True)
    with FileLock(str(root.parent / "build.lock")):
        if not (root / "done").exists():
            shutil.rmtree(root, ignore_errors=True)  # a half build left by a killed run
            _install_spaced(root)
            (root / "done").touch()
    return [str(entry)]


def _install_spaced(root: Path) -> None:
    """Build the wheel and install it into ``root/venv``.

    The wheel's dependencies come from this test run's venv through a .pth line,
    which Python adds to sys.path without processing the .pth files in it (so the
    editable checkout never shadows the wheel); awsenv itself is only the wheel.
    """
    wheels = root / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                        "-w", str(wheels), str(REPO)], capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    wheel = next(wheels.glob("awsenv-*.whl"))
    target = root / "venv"
    venv.create(target, with_pip=False, symlinks=True)
    python = target / "bin" / "python"
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                        "--no-deps", "--quiet", str(wheel)], capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    probe = [str(python), "-c", "import site, sys; print(site.getsitepackages()[0])"]
    own = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    deps = subprocess.run([sys.executable, *probe[1:]], capture_output=True, text=True,
                          check=True).stdout.strip()
    Path(own, "zz_awsenv_test_deps.pth").write_text(deps + "\n")
    entry = target / "bin" / "awsenv"
    assert entry.exists()
    # The command awsenv itself bakes into credential_process lines and hooks.
    r = subprocess.run([str(entry), "--version"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    where = subprocess.run([str(python), "-I", "-c", "import awsenv; print(awsenv.__file__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(target)), where  # the wheel, never the checkout
