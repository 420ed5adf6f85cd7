"""Kill -9 loop driver: ``python _crash_driver.py {role|token|sync} N SEED``.

Imports awsenv (and boto3) once, then N times: fork a child that repeats one
real write path forever (role-cache fetch+store, token refresh with rotation,
`sync` config write), SIGKILL it after a random delay in a small window, and
check what a crash left: every file parses, the AWS config keeps every byte
outside the managed block, and the next operation (another forked child, so
this process never holds keyring threads or locks across a fork) works. Prints
one JSON summary line. Forking a warm process makes each kill cost
milliseconds instead of a fresh interpreter start.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

from awsenv import creds, sync
from awsenv.auth import tokens
from awsenv.awsconfig import read
from awsenv.creds import cache
from awsenv.environment import Environment
from awsenv.errors import NotSignedIn

# Seconds after fork at which to kill: start-up, lock, network and write all land in it.
# The upper bound grows to twice one operation's measured time (see main).
WINDOWS = {"role": (0.0, 0.05), "token": (0.0, 0.05), "sync": (0.0, 0.05)}
# Extra kills (beyond N) while too few landed after a write stop at 3N or after this
# many seconds, and the widened window never exceeds CAP operations: bounded on any box.
EXTRA_BUDGET = 180.0
CAP = 8
BEGIN = "# BEGIN awsenv managed profiles"
END = "# END awsenv managed profiles"


def warm_botocore() -> None:
    """One botocore session, its service models loaded, shared by every forked child.

    Only client construction is shortened (it reloads JSON models per session);
    the lock, the request and the write under test run as in the CLI.
    """
    from awsenv.auth import clients

    session = clients._session(Environment.from_os())
    for service in ("sso", "sso-oidc"):
        session.create_client(service, region_name="us-east-1")
    clients._session = lambda env: session  # type: ignore[assignment]


def warm_keyring() -> None:
    """keyring imported and its backend chosen once, here, before any fork.

    Each child would otherwise repeat keyring's slow import and backend selection
    (about 100 ms) on every run: the run under test (refresh, rotation, keyring
    write) is unchanged. Done in this thread, with no keyring thread running and no
    lock held when the children fork.
    """
    import keyring.core

    keyring.core.get_keyring()


def op_role(env: Environment) -> None:
    """Touch the AWS config (the record's stamp no longer matches: a miss) and get."""
    assert env.paths is not None
    now = time.time_ns()
    os.utime(env.paths.aws_config_file, ns=(now, now))
    creds.get(env, "dev")


def op_token(env: Environment) -> None:
    """Refresh on the real clock: the test has the emulator issue 10-minute tokens,
    always inside the 15-minute refresh window, so every call refreshes and rotates."""
    tokens.access_token(Environment.from_os(), read.load(env).session("corp"))


def secrets_gone(i: int) -> None:
    """Exit 5 when the session's keyring secrets read as absent or lack a refresh token."""
    from awsenv.auth import secrets

    stored = secrets.load(read.load(Environment.from_os()).session("corp").key)
    if stored is None or not stored.refresh_token:
        os._exit(5)


REGIONS = ("eu-west-1", "us-east-2")


def op_sync(env: Environment, i: int, listing: Any) -> None:
    sync.run(env, session_name="corp", region=REGIONS[i % 2], listing=listing)


def outside(text: str) -> str:
    if BEGIN not in text:
        return text
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + "\x00" + tail


def run_child(fn: Any, loop: bool) -> int:
    """Fork; the child runs ``fn`` (forever if ``loop``); returns the pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            i = 0
            while True:
                fn(i)
                i += 1
                if not loop:
                    break
        except NotSignedIn as exc:
            code = 3 if "awsenv login" in exc.line() else 4
        except BaseException as exc:  # report the kind, the parent records it
            sys.stderr.write(f"child failed: {type(exc).__name__}: {exc}\n")
            code = 1
        os._exit(code)
    return pid


def wait(pid: int, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -999  # hung: a stale lock or a deadlock
        time.sleep(0.005)


def watched(mode: str, env: Environment) -> bytes:
    """The bytes the mode's writer replaces (to count kills that landed after a write)."""
    assert env.paths is not None
    path = {"role": cache.cache_file(env.paths, "dev"),
            "token": tokens.cache_file(env.paths, read.load(env).session("corp")),
            "sync": env.paths.aws_config_file}[mode]
    try:
        return path.read_bytes()
    except OSError:
        return b""


def check_json_files(root: Path, problems: list[str], allowed: int = 0o600) -> None:
    # A kill inside atomic_write may leave its temp file: never more open than allowed
    # (0600, or the mode of the user's own file it was replacing).
    for tmp in root.rglob(".*.tmp"):
        try:
            if tmp.stat().st_mode & 0o777 & ~allowed:
                problems.append(f"{tmp.name}: temp file more open than {oct(allowed)}")
        except FileNotFoundError:
            pass
    for path in root.rglob("*.json"):
        try:
            json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}")


def main() -> None:
    mode, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    warm_botocore()
    warm_keyring()
    rng = random.Random(seed)
    env = Environment.from_os()
    assert env.paths is not None
    paths = env.paths
    problems: list[str] = []
    relogins = unreadable = 0
    changed = 0
    listing = None
    if mode == "sync":
        from awsenv import portal

        listing = portal.list_account_roles(env, read.load(env).session("corp"))
        op_sync(env, 1, listing)
        baseline = outside(paths.aws_config_file.read_text())
    ops = {"role": lambda i: op_role(env), "token": lambda i: op_token(env),
           "sync": lambda i: op_sync(env, i, listing)}
    op = ops[mode]
    # Kill anywhere from the fork to two operations later: calibrated on this machine's
    # speed right now, so on a loaded box the kills still land in (and after) the write.
    took = []
    for _ in range(3):
        t0 = time.monotonic()
        wait(run_child(op, loop=False))
        took.append(time.monotonic() - t0)
    low, high = WINDOWS[mode]
    op_time = sorted(took)[1]
    high = max(high, 2 * op_time)
    ceiling = max(high, CAP * op_time)
    # At least n kills, and more (up to 3n, within EXTRA_BUDGET seconds) until a fifth
    # of them landed after a write: on a loaded machine the calibration can fall short,
    # and a kill before any write proves nothing about torn files.
    kills = 0
    deadline = float("inf")
    while kills < n or (changed < n // 5 and kills < 3 * n and time.monotonic() < deadline):
        kills += 1
        if kills == n:
            deadline = time.monotonic() + EXTRA_BUDGET
        if kills % 10 == 0 and changed < kills // 5:
            high = min(high * 1.5, ceiling)  # kills land too early: the box is slower now
        before = watched(mode, env)
        pid = run_child(op, loop=True)
        time.sleep(rng.uniform(low, high))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        after = watched(mode, env)
        changed += bool(after) and after != before  # a new write landed before the kill
        # What the crash left must parse.
        check_json_files(paths.runtime_dir, problems)
        check_json_files(paths.aws_sso_cache, problems)
        check_json_files(paths.cache_dir, problems)
        keyring_file = Path(os.environ["AWSENV_TEST_KEYRING_FILE"])
        if keyring_file.exists():
            try:
                json.loads(keyring_file.read_text())
            except ValueError:
                problems.append("test keyring file")
        if mode == "sync":
            import botocore.configloader

            config_mode = paths.aws_config_file.stat().st_mode & 0o777
            check_json_files(paths.aws_config_file.parent, problems, config_mode)

            text = paths.aws_config_file.read_text()
            try:
                botocore.configloader.raw_config_parse(str(paths.aws_config_file))
            except Exception as exc:
                problems.append(f"config: {type(exc).__name__}")
            if outside(text) != baseline:
                problems.append("config: bytes outside the managed block changed")
            if text.count(BEGIN) != 1 or text.count(END) != 1:
                problems.append("config: managed block markers damaged")
        # The next operation works (a stale lock would hang it: wait() kills at 60 s).
        rc = wait(run_child(op, loop=False))
        if mode == "token" and rc == 0 and wait(run_child(secrets_gone, loop=False)) == 5:
            # Killed inside the keyring write of a rotated (long, so chunked) value: the
            # half-written pieces read as absent, the still-valid access token serves
            # until it expires and then it is "sign in again". The same lost rotation.
            unreadable += 1
            rc = 3
        if rc == 3 and mode == "token":
            # The server rotated the refresh token but the crash lost the new one:
            # the one case that ends in "sign in again". Sign in and carry on.
            relogins += 1
            from awsenv.auth import login

            rc = wait(run_child(lambda i: login.login(
                Environment.from_os(), read.load(env).session("corp"),
                use_device_code=True, no_browser=True), loop=False))
            if rc == 0:
                rc = wait(run_child(op, loop=False))
        if rc != 0:
            problems.append(f"next operation after a kill exited {rc}")
    print(json.dumps({"kills": kills, "relogins": relogins, "unreadable": unreadable,
                      "changed": changed,
                      "op_ms": round(op_time * 1000), "window_ms": round(high * 1000),
                      "problems": problems[:20]}))


if __name__ == "__main__":
    main()
