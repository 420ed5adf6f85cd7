"""The benchmark's world: a sandbox (emulator, isolated home, signed in) plus peers' set-up.

Both awsenv and its peers get the same start: the same emulator, the same
projects, each tool's own trust granted, the same warm caches.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from awsenv.sandbox import Sandbox

BENCH_VENV = Path(__file__).resolve().parent / ".venv"
LEGACY = "bench-legacy"


def tool(name: str) -> str:
    """A peer installed in bench/.venv (aws-sso-util), else on PATH."""
    candidate = BENCH_VENV / "bin" / name
    return str(candidate) if candidate.exists() else name


def prepare(box: Sandbox, profile: str) -> dict[str, Path]:
    """Projects for both tools, trust granted, caches warm; returns the project dirs."""
    env = box.env
    account, role = _identity(box, profile)
    # A legacy profile for aws-sso-util, which reads sso_start_url inline and the CLI token cache.
    with open(env["AWS_CONFIG_FILE"], "a") as fh:
        fh.write(f"\n[profile {LEGACY}]\nsso_start_url = {box.emulator.start_url}\n"
                 f"sso_region = {box.emulator.region}\nsso_account_id = {account}\n"
                 f"sso_role_name = {role}\nregion = {box.emulator.region}\n")
    _ok(box.awsenv("login", "--profile", LEGACY, "--use-device-code"))
    dirs: dict[str, Path] = {}
    for name in ("proj-a", "proj-b"):
        d = box.home / "bench" / name
        (d / "sub" / "deeper").mkdir(parents=True, exist_ok=True)
        (d / ".awsenv").write_text(f"profile = {profile}\n")
        (d / ".envrc").write_text(f"export AWS_PROFILE={profile}\n")
        _ok(box.awsenv("allow", str(d)))
        _ok(subprocess.run(["direnv", "allow", str(d)], env=env, capture_output=True, text=True))
        dirs[name] = d
    # Warm both credential caches.
    _ok(box.awsenv("credential-process", "--profile", profile))
    _ok(subprocess.run([tool("aws-sso-util"), "credential-process", "--profile", LEGACY],
                       env=env, capture_output=True, text=True))
    return dirs


def _identity(box: Sandbox, profile: str) -> tuple[str, str]:
    from awsenv.awsconfig.read import load
    from awsenv.environment import Environment

    p = load(Environment(environ=box.env)).profile(profile)
    assert p.account_id and p.role_name
    return p.account_id, p.role_name


def _ok(proc: subprocess.CompletedProcess[str]) -> None:
    if proc.returncode != 0:
        raise RuntimeError(f"set-up step failed ({proc.args!r}): {proc.stderr.strip()[-400:]}")


def compile_like_pip() -> None:
    """Compile awsenv's modules as `pip install` does (the peers in bench/.venv are).

    A checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every
    module on every start and measure the compiler, not awsenv.
    """
    import compileall

    import awsenv

    compileall.compile_dir(os.path.dirname(awsenv.__file__), quiet=1)


def with_path(env: dict[str, str]) -> dict[str, str]:
    """The peers on PATH first; bytecode caches used as on an installed system."""
    out = dict(env)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out["PATH"] = os.pathsep.join([str(BENCH_VENV / "bin"), env.get("PATH", "")])
    return out
