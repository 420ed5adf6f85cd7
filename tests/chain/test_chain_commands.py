"""Chained roles one and two levels deep through export, exec, credential-process,
console, list and allow; ad hoc --chain; the cache; the refusals.

Every identity is checked by asking the emulator's STS who the credentials are
(GetCallerIdentity with real boto3), and every fetch is counted at the emulator.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.chains import AUDIT, DEPLOY
from support.world import AWSENV, World

from awsenv.creds import cache, chain
from awsenv.errors import ExitCode

HOP1_ARN = "arn:aws:sts::222222222222:assumed-role/deploy/alice"
HOP2_ARN = "arn:aws:sts::333333333333:assumed-role/audit/alice2"
CAP_NOTE = ("awsenv: hop2: duration_seconds = 7200 is more than AWS allows a chained role "
            "session; using 3600 (one hour)")

WHOAMI = ("import boto3, os\n"
          "c = boto3.client('sts', region_name=os.environ.get('AWS_REGION') or 'us-east-1')\n"
          "print(c.get_caller_identity()['Arn'])\n")


def whoami(keys: dict[str, str]) -> str:
    """The STS ARN the credentials belong to (boto3 in a clean child, no profile)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_PROFILE")}
    env.update(keys)
    env.setdefault("AWS_REGION", "eu-west-1")
    proc = subprocess.run([sys.executable, "-c", WHOAMI], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def exported(world: World, *args: str) -> tuple[dict[str, str], str]:
    r = world.cli("export", *args, "-f", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


@pytest.mark.parametrize(("args", "arn", "region"), [
    (("hop1",), HOP1_ARN, "eu-west-1"),
    (("hop2",), HOP2_ARN, "eu-west-1"),
    (("nathop",), "arn:aws:sts::222222222222:assumed-role/deploy/", "us-west-2"),
    (("prochop",), "arn:aws:sts::222222222222:assumed-role/deploy/", None),
])
def test_export_one_and_two_levels_from_every_source_kind(
        signed: World, args: tuple[str, ...], arn: str, region: str | None) -> None:
    keys, _ = exported(signed, *args)
    assert whoami(keys).startswith(arn)
    assert keys.get("AWS_REGION") == region


def test_the_one_hour_cap_is_said_and_kept(signed: World) -> None:
    keys, err = exported(signed, "hop2")
    assert CAP_NOTE in err.splitlines()
    from awsenv.creds.record import iso_epoch

    left = (iso_epoch(keys["AWS_CREDENTIAL_EXPIRATION"]) or 0) - signed.env().now()
    assert 3000 < left <= 3600
    # hop1 asked for nothing: no note about it.
    assert "hop1:" not in err
    assert "duration_seconds" not in exported(signed, "hop1")[1]


def test_each_link_is_cached_privately_and_fetched_once(signed: World) -> None:
    exported(signed, "hop2")
    assert (signed.grc(), signed.count("AssumeRole")) == (1, 2)
    # hop1 came through the same cache: asking for it is a hit.
    exported(signed, "hop1")
    exported(signed, "hop2")
    exported(signed, "dev")
    assert (signed.grc(), signed.count("AssumeRole")) == (1, 2)
    for name in ("dev", "hop1", "hop2"):
        mode = stat.S_IMODE(cache.cache_file(signed.paths, name).stat().st_mode)
        assert mode == 0o600, name


def test_adhoc_chain_one_and_two_levels(signed: World) -> None:
    from dataclasses import replace

    from awsenv.emulator import Directory
    from awsenv.emulator.directory import IamRole

    # prod also has a role deploy may assume without an ExternalId (ad hoc hops carry none).
    accounts = [replace(a, iam_roles=(*a.iam_roles, IamRole("reader", (DEPLOY,))))
                if a.account_id == "333333333333" else a for a in Directory.default().accounts]
    signed.emu.directory = Directory(accounts)
    keys, _ = exported(signed, "--chain", DEPLOY, "dev")
    assert whoami(keys).startswith("arn:aws:sts::222222222222:assumed-role/deploy/awsenv-")
    reader = "arn:aws:iam::333333333333:role/reader"
    keys, _ = exported(signed, "dev", "--chain", DEPLOY, "--chain", reader)
    assert whoami(keys).startswith("arn:aws:sts::333333333333:assumed-role/reader/awsenv-")
    # The first hop was the cached one-level chain: one more AssumeRole, not two.
    assert signed.count("AssumeRole") == 2


def test_adhoc_chain_on_a_chained_profile(signed: World) -> None:
    """--chain on top of hop1 (a config chain) reaches audit only with its ExternalId;
    an ad hoc hop carries none, so STS refuses and says so in one line."""
    r = signed.cli("export", "hop1", "--chain", AUDIT)
    assert r.returncode == ExitCode.CONFIG, r.stderr
    line = r.stderr.strip()
    assert line.startswith(f"awsenv: STS refused to assume {AUDIT} for 'hop1+{AUDIT}': "
                           "AccessDenied User: arn:aws:sts::222222222222:assumed-role/deploy/"
                           "alice is not authorized to perform: sts:AssumeRole"), line
    assert "\n" not in line and "Traceback" not in r.stderr


def test_adhoc_chains_are_keyed_by_the_whole_chain(signed: World) -> None:
    one, _ = exported(signed, "--chain", DEPLOY, "dev")
    again, _ = exported(signed, "--chain", DEPLOY, "dev")
    assert one == again and signed.count("AssumeRole") == 1
    via_native, _ = exported(signed, "--chain", DEPLOY, "nat")
    assert via_native["AWS_ACCESS_KEY_ID"] != one["AWS_ACCESS_KEY_ID"]
    assert signed.count("AssumeRole") == 2
    path = cache.cache_file(signed.paths, f"dev+{DEPLOY}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_exec_one_and_two_levels(signed: World) -> None:
    for args, arn in ((("hop1",), HOP1_ARN), (("hop2",), HOP2_ARN),
                      (("--chain", DEPLOY, "dev"), "arn:aws:sts::222222222222:assumed-role/")):
        r = signed.cli("exec", *args, "--", sys.executable, "-c", WHOAMI)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip().startswith(arn)
    r = signed.cli("exec", "hop2", "--", sys.executable, "-c",
                   "import os; print(os.environ['AWSENV_PROFILE'])")
    assert r.stdout.strip() == "hop2"


def test_credential_process_hit_is_the_plain_hit(signed: World) -> None:
    """A chained profile's warm hit is answered by the same stdlib fast path."""
    first = signed.cli("credential-process", "--profile", "hop2")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["Version"] == 1
    assert whoami({"AWS_ACCESS_KEY_ID": data["AccessKeyId"],
                   "AWS_SECRET_ACCESS_KEY": data["SecretAccessKey"],
                   "AWS_SESSION_TOKEN": data["SessionToken"]}) == HOP2_ARN
    plain = signed.cli("credential-process", "--profile", "dev",
                       extra={"PYTHONPROFILEIMPORTTIME": "1"})
    hit = signed.cli("credential-process", "--profile", "hop2",
                     extra={"PYTHONPROFILEIMPORTTIME": "1"})
    assert json.loads(hit.stdout) == data
    assert signed.count("AssumeRole") == 2

    def modules(stderr: str) -> set[str]:
        return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
                if line.startswith("import time:") and line.count("|") == 2}

    assert modules(hit.stderr) == modules(plain.stderr)
    assert not {m for m in modules(hit.stderr) if m.split(".")[0] in ("botocore", "click")}


def test_twenty_concurrent_cold_callers_make_one_call_per_hop(signed: World) -> None:
    procs = [subprocess.Popen([*AWSENV, "credential-process", "--profile", "hop2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(20)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, [e for _, e in outputs if e]
    assert len({out for out, _ in outputs}) == 1
    assert (signed.grc(), signed.count("AssumeRole")) == (1, 2)


def test_botocore_itself_chains_from_awsenv_profiles(signed: World) -> None:
    """Profile mode: AWS_PROFILE=hop1 and the SDK does the chaining (dev's credential_process
    is awsenv's). hop2's duration_seconds = 7200 is the SDK's to send as written, and STS
    refuses it, as it would in AWS."""
    def sdk(profile: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "AWS_PROFILE": profile, "AWS_MAX_ATTEMPTS": "1"}
        return subprocess.run([sys.executable, "-c", WHOAMI], env=env, capture_output=True,
                              text=True, timeout=60)

    proc = sdk("hop1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == HOP1_ARN
    proc = sdk("hop2")
    assert proc.returncode != 0
    assert "1 hour session limit for roles assumed by role chaining" in proc.stderr


def test_console_for_a_chained_profile(signed: World) -> None:
    import urllib.request

    r = signed.cli("console", "hop2", "--print")
    assert r.returncode == 0, r.stderr
    with urllib.request.urlopen(r.stdout.strip(), timeout=10) as resp:
        page = resp.read().decode()
    assert "Signed in as role audit in account 333333333333" in page
    r = signed.cli("console", "--chain", DEPLOY, "dev", "--print")
    with urllib.request.urlopen(r.stdout.strip(), timeout=10) as resp:
        assert "Signed in as role deploy in account 222222222222" in resp.read().decode()


def test_list_shows_each_chain_source_first(signed: World) -> None:
    r = signed.cli("list", "--session", "corp")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert "CHAINED PROFILE" in text
    rows = {line.split()[0]: line for line in text.splitlines()[text.splitlines().index(
        next(x for x in text.splitlines() if x.startswith("CHAINED PROFILE"))) + 1:]}
    assert rows["hop1"].split(None, 1)[1] == \
        "dev 111111111111/AdministratorAccess -> hop1 222222222222/deploy"
    assert rows["hop2"].split(None, 1)[1] == ("dev 111111111111/AdministratorAccess -> hop1 "
                                              "222222222222/deploy -> hop2 333333333333/audit")
    assert rows["nathop"].split(None, 1)[1] == \
        "nat 111111111111/Developer -> nathop 222222222222/deploy"
    assert "prochop" not in rows  # its source has no Identity Center session
    data = json.loads(signed.cli("list", "--session", "corp", "--json").stdout)
    hop2 = next(x for x in data if x["profiles"] == ["hop2"])
    assert (hop2["account_id"], hop2["role_name"]) == ("333333333333", "audit")
    assert [link["profile"] for link in hop2["chain"]] == ["dev", "hop1", "hop2"]


def test_allow_shows_the_whole_chain_with_prod_markers(signed: World, tmp_path: Path) -> None:
    config = signed.config
    config.write_text(config.read_text() + (
        "\n[profile prod-audit]\n"
        f"role_arn = {AUDIT}\nsource_profile = hop1\nexternal_id = awsenv-demo\n"))
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".awsenv").write_text("prod-audit\n")
    r = signed.cli("allow", str(project))
    assert r.returncode == 0, r.stderr
    lines = [x.strip() for x in r.stderr.splitlines()]
    assert "profile: prod-audit   [PROD]" in lines
    start = lines.index("chain:   dev 111111111111/AdministratorAccess")
    assert lines[start + 1:start + 3] == ["-> hop1 222222222222/deploy",
                                          "-> prod-audit 333333333333/audit [PROD]"]


def test_allow_binding_follows_the_source(signed: World, tmp_path: Path) -> None:
    """The source profile moving to another role changes what a chained profile resolves to."""
    from awsenv.shells import profileinfo

    before = profileinfo.load(signed.config, "hop2")
    text = signed.config.read_text().replace("awsenv_role_name = AdministratorAccess\n"
                                             "region = eu-west-1",
                                             "awsenv_role_name = Developer\nregion = eu-west-1", 1)
    assert text != signed.config.read_text()
    signed.config.write_text(text)
    after = profileinfo.load(signed.config, "hop2")
    assert before is not None and after is not None
    assert before.resolves() != after.resolves()
    assert (after.account_id, after.role_name) == (before.account_id, before.role_name)


@pytest.mark.parametrize(("extra", "expect"), [
    ("[profile loop1]\nrole_arn = {D}\nsource_profile = loop2\n"
     "[profile loop2]\nrole_arn = {D}\nsource_profile = loop1\n",
     "awsenv: the source_profile chain loops: loop1 -> loop2 -> loop1"),
    ("[profile loop1]\nrole_arn = {D}\n",
     "awsenv: profile 'loop1' has role_arn but no source_profile"),
    ("[profile loop1]\nrole_arn = {D}\nsource_profile = nosuch\n",
     "awsenv: profile 'loop1' names source_profile 'nosuch', which is not in the AWS config"),
    ("[profile loop1]\nrole_arn = arn:aws:iam::2222:role/x\nsource_profile = dev\n",
     "awsenv: role_arn in profile 'loop1' is not an IAM role ARN"),
    ("[profile loop1]\nrole_arn = {D}\nsource_profile = dev\nmfa_serial = arn:aws:iam::1:mfa/x\n",
     "awsenv: profile 'loop1' chains with mfa_serial, which awsenv does not support"),
    ("[profile loop1]\nrole_arn = {D}\nsource_profile = native\n",
     "awsenv: STS refused to assume arn:aws:iam::222222222222:role/deploy for 'loop1': "
     "AccessDenied User: arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Developer_"),
])
def test_what_cannot_chain_is_one_line(signed: World, extra: str, expect: str) -> None:
    signed.config.write_text(signed.config.read_text() + "\n" + extra.format(D=DEPLOY))
    for argv in (("export", "loop1"), ("credential-process", "--profile", "loop1")):
        r = signed.cli(*argv)
        assert r.returncode == ExitCode.CONFIG, (argv, r.stderr)
        assert r.stderr.startswith(expect), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_a_bad_chain_arn_is_a_usage_error(signed: World) -> None:
    r = signed.cli("export", "dev", "--chain", "arn:aws:iam::1:role/x")
    assert r.returncode == ExitCode.USAGE
    assert r.stderr.startswith("awsenv: --chain arn:aws:iam::1:role/x is not an IAM role ARN")



def deep_chain(world: World, roles: int) -> str:
    """Profiles deep1..deepN, each assuming deploy with the one before (deep1 with dev):
    ``deepN`` is a chain of N roles. Returns its name."""
    stanzas = [f"[profile deep{i}]\nrole_arn = {DEPLOY}\n"
               f"source_profile = {'dev' if i == 1 else f'deep{i - 1}'}\n"
               for i in range(1, roles + 1)]
    world.config.write_text(world.config.read_text() + "\n" + "\n".join(stanzas))
    return f"deep{roles}"


def test_a_chain_deeper_than_awsenv_follows_is_one_line_without_a_call(signed: World) -> None:
    """A generated config with a 300-role chain ended in Python's recursion limit
    ("internal error (RecursionError)") after seconds of work; now one line at once."""
    deep_chain(signed, 300)
    before = signed.count("AssumeRole")
    for name, argv in (("deep300", ("export", "deep300")),
                       ("deep65", ("credential-process", "--profile", "deep65")),
                       ("deep63", ("export", "deep63", "--chain", DEPLOY, "--chain", DEPLOY))):
        r = signed.cli(*argv)
        assert r.returncode == ExitCode.CONFIG, (argv, r.stderr)
        assert r.stderr.splitlines() == [
            f"awsenv: the role chain of '{name}' has more than {chain.MAX_HOPS} roles; shorten "
            "it: point source_profile at a profile with credentials of its own nearer the role "
            "you want"], argv
    assert signed.count("AssumeRole") == before


def test_a_chain_of_the_most_roles_is_followed(signed: World) -> None:
    """MAX_HOPS roles pass the check (checked in process: 64 real AssumeRoles would say
    nothing more), and the config is parsed once for all of their hops."""
    from awsenv.awsconfig import read
    from awsenv.environment import Environment

    name = deep_chain(signed, chain.MAX_HOPS)
    time.sleep(read._SETTLED_NS / 1e9)  # a file written just now is read afresh each time
    parsed: list[object] = []
    real = read.parse_file

    def counting(*args: object, **kwargs: object) -> object:
        parsed.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    env = Environment.from_os()
    try:
        read.parse_file = counting  # type: ignore[assignment]
        for i in range(chain.MAX_HOPS, 0, -1):
            link = chain.hop(env, f"deep{i}")
            assert link is not None and link.source == ("dev" if i == 1 else f"deep{i - 1}")
        assert chain.hop(env, f"deep{chain.MAX_HOPS - 1}+{DEPLOY}") is not None
    finally:
        read.parse_file = real  # type: ignore[assignment]
    assert len(parsed) == 1, name
    # An edit is seen at once: the next read parses the new file.
    signed.config.write_text(signed.config.read_text() + "\n[profile late]\nregion = eu-west-1\n")
    assert "late" in read.load(env).raw_profiles


def test_an_sts_failure_names_sts(signed: World) -> None:
    """A chained role's AssumeRole goes to STS: its failure line says so, not Identity Center."""
    exported(signed, "dev")  # the source's credentials cached: only STS is left to fail
    r = signed.cli("export", "hop1", "-f", "json",
                   extra={"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    assert r.stderr.startswith("awsenv: AWS STS AssumeRole in eu-west-1 failed: could not "
                               "connect"), r.stderr
