"""The SSO region pitfall, as a user meets it: `awsenv login` with a wrong ``sso_region``.

Identity Center registers the client and starts the sign-in in any region; the
person signs in at the instance's portal and the approval fails there with
"Invalid grant provided", while the client waits for an answer that never
comes (aws-cli #5058, granted #385, aws-sso-cli #453). The emulator plays an
instance in us-east-1 reached by AWS's real regional host names: awsenv runs
with no ``AWS_ENDPOINT_URL_*`` at all, through the loopback TLS proxy
(``HTTPS_PROXY``, ``AWS_CA_BUNDLE``), so the region in ``sso_region`` is the
region it really reaches. Each test shows the lines the user gets: the region
before the code or the browser, and after the failure why and how to find the
right region. The same flows with the right region succeed (the control).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from interop._tlsproxy import TlsProxy
from support.world import AWSENV, running_emulator, write_config

from awsenv.errors import ExitCode

pytestmark = pytest.mark.interop

HOME_REGION = "us-east-1"  # the emulated instance's own region
WRONG_REGION = "us-west-2"
REGIONS = (HOME_REGION, WRONG_REGION)
HINT = "a wrong sso_region gives exactly this"
# Variables that would change the flow or the endpoint awsenv reaches.
DROP = ("CI", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "WSL_DISTRO_NAME", "WSL_INTEROP",
        "DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "AWS_ENDPOINT_URL")

# A browser that goes where it is sent, through the proxy for AWS's host names
# (the hand-off is a loopback link, reached directly), and keeps the last page.
_BROWSER = """\
import os, pathlib, ssl, sys, urllib.error, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["AWS_CA_BUNDLE"])
opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({"https": os.environ["HTTPS_PROXY"]}),
    urllib.request.HTTPSHandler(context=ctx))
try:
    with opener.open(sys.argv[1], timeout=20) as r:
        page = r.read()
except urllib.error.HTTPError as e:
    page = e.read()
pathlib.Path(sys.argv[0]).with_suffix(".page").write_bytes(page)
"""


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    with running_emulator(region=HOME_REGION, device_code_ttl=3, device_interval=0.2) as server:
        yield server


@pytest.fixture(scope="module")
def proxy(emu: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsProxy]:
    host, _, port = emu.url.split("//", 1)[1].rpartition(":")
    names = sorted({f"{svc}.{r}.amazonaws.com" for r in REGIONS for svc in ("oidc", "portal.sso")})
    with TlsProxy((host, int(port)), names, tmp_path_factory.mktemp("ca")) as server:
        yield server


def configure(emu: Any, sso_region: str) -> None:
    write_config(textwrap.dedent(f"""\
        [sso-session corp]
        sso_start_url = {emu.start_url}
        sso_region = {sso_region}
        sso_registration_scopes = sso:account:access
        """))


def environ(proxy: TlsProxy, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in DROP and not k.startswith("AWS_ENDPOINT_URL_")}
    env.update(proxy.env())
    env.update(extra)
    return env


def login(proxy: TlsProxy, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*AWSENV, "login", *args], env=environ(proxy, **extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def approve_on_the_page(emu: Any, proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Play the person: wait for the code to be shown, approve it on the device page."""
    assert proc.stderr is not None
    shown = []
    for line in proc.stderr:
        shown.append(line)
        if "enter the code:" in line:
            break
    code = shown[-1].rsplit(":", 1)[1].strip()
    data = urllib.parse.urlencode({"user_code": code, "decision": "approve"}).encode()
    try:
        with urllib.request.urlopen(f"{emu.url}/device", data=data, timeout=20) as r:
            status, page = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, page = e.code, e.read().decode()
    rest = proc.communicate(timeout=60)[1]
    return status, "".join(shown) + rest + f"\n[page {status}] {page}"


@pytest.mark.parametrize("sso_region", [WRONG_REGION, HOME_REGION])
def test_device_code_with_a_wrong_region(emu: Any, proxy: TlsProxy, isolated_home: Path,
                                         sso_region: str) -> None:
    """Wrong region: the code is shown with the region it uses, the approval ends in
    "Invalid grant provided" on the page, the code expires, and awsenv says that a
    wrong sso_region gives exactly this and where the right one is shown."""
    configure(emu, sso_region)
    emu.reset_counters()
    emu.configure(auto_approve=False)  # the person approves on the page
    proc = login(proxy, "--no-browser")
    status, stderr = approve_on_the_page(emu, proc)
    if sso_region == HOME_REGION:  # the control: the same steps sign in
        assert proc.returncode == 0, stderr
        assert status == 200 and HINT not in stderr
        return
    assert proc.returncode == ExitCode.LOGIN_FAILED, stderr
    assert status == 400 and "Invalid grant provided" in stderr
    lines = stderr.splitlines()
    region_line = next(i for i, ln in enumerate(lines)
                       if f"IAM Identity Center region: {WRONG_REGION}" in ln)
    code_line = next(i for i, ln in enumerate(lines) if "enter the code:" in ln)
    assert region_line < code_line, stderr
    assert "Invalid grant provided" in lines[region_line]
    assert "awsenv: the sign-in code expired before it was approved" in stderr
    hint = next(ln for ln in lines if HINT in ln)
    assert hint.startswith("awsenv: ")
    assert f"[sso-session corp] uses {WRONG_REGION}" in hint
    assert '"Access keys"' in hint and "SSO Region" in hint
    assert f"awsenv configure --session corp --start-url {emu.start_url} --sso-region" in hint
    # It reached the wrong region's endpoint, as a real client would.
    assert f"oidc.{WRONG_REGION}.amazonaws.com" in proxy.connects
    assert emu.counters().get("InvalidGrantPage") == 1
    assert "Traceback" not in stderr


@pytest.mark.parametrize("sso_region", [WRONG_REGION, HOME_REGION])
def test_browser_sign_in_with_a_wrong_region(emu: Any, proxy: TlsProxy, isolated_home: Path,
                                             tmp_path: Path, sso_region: str) -> None:
    """PKCE: the browser ends on "Invalid grant provided" and never calls back; after
    AWSENV_LOGIN_TIMEOUT awsenv times out (exit 7) with the wrong-region hint."""
    configure(emu, sso_region)
    emu.reset_counters()
    emu.configure(auto_approve=True)  # the portal's consent, once signed in
    browser = tmp_path / "browser.py"
    browser.write_text(f"#!{sys.executable}\n{_BROWSER}")
    browser.chmod(0o700)
    proc = login(proxy, BROWSER=str(browser), AWSENV_LOGIN_TIMEOUT="4")
    _, stderr = proc.communicate(timeout=60)
    page = browser.with_suffix(".page").read_text()
    if sso_region == HOME_REGION:
        assert proc.returncode == 0, stderr
        assert "Sign-in received" in page and HINT not in stderr
        return
    assert proc.returncode == ExitCode.TIMEOUT, stderr
    assert "Invalid grant provided" in page
    lines = stderr.splitlines()
    assert lines[0].startswith("Opening the browser"), stderr
    assert lines[1].startswith(f"IAM Identity Center region: {WRONG_REGION} (sso_region)")
    assert "awsenv: no answer from the browser sign-in within 4s" in stderr
    assert lines[-1].startswith(f"awsenv: {HINT}"), stderr
    counters = emu.counters()
    assert counters.get("InvalidGrantPage") == 1
    assert counters.get("CreateToken:authorization_code", 0) == 0
