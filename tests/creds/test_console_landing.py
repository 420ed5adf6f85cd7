"""`awsenv console`: where it lands (--service, --region, --destination), --duration, --via-portal.

URLs are taken apart field by field; sign-in URLs are followed at the emulator's
federation endpoint, which says who got signed in, where, for how long.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from support.world import World, configured_fixture

from awsenv import console as core
from awsenv.consoleservices import SERVICES
from awsenv.errors import AwsenvError

DEPLOY = "arn:aws:iam::222222222222:role/deploy"
configured = configured_fixture(after=f"""
[profile hop1]
role_arn = {DEPLOY}
source_profile = dev
region = eu-west-1
""")


@pytest.fixture
def signed(configured: World) -> World:
    configured.login()
    return configured


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def landing(url: str) -> urllib.parse.SplitResult:
    return urllib.parse.urlsplit(query(url)["Destination"])


def page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=20) as resp:
        return resp.read().decode()


def test_service_in_another_region(signed: World) -> None:
    r = signed.cli("console", "dev", "--service", "lambda", "--region", "us-east-1", "--print")
    assert r.returncode == 0, r.stderr
    dest = landing(r.stdout.strip())
    assert (dest.scheme, dest.hostname, dest.path) == (
        "https", "us-east-1.console.aws.amazon.com", "/lambda/home")
    assert query(urllib.parse.urlunsplit(dest)) == {"region": "us-east-1"}
    assert "Signed in as role AdministratorAccess in account 111111111111" in page(
        r.stdout.strip())


def test_service_with_a_console_route_and_the_profile_region(signed: World) -> None:
    r = signed.cli("console", "dev", "--service", "logs", "--print")
    assert r.returncode == 0, r.stderr
    dest = landing(r.stdout.strip())
    assert (dest.hostname, dest.path, dest.query, dest.fragment) == (
        "eu-west-1.console.aws.amazon.com", "/cloudwatch/home", "region=eu-west-1",
        "logsV2:log-groups")


def test_unknown_service_lists_the_names_before_any_sign_in(signed: World) -> None:
    r = signed.cli("console", "dev", "--service", "nope", "--print")
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown service 'nope'" in lines[0]
    assert ", ".join(sorted(SERVICES)) in lines[0]
    assert signed.count("GetSigninToken") == 0


@pytest.mark.parametrize("url", [
    "http://eu-west-1.console.aws.amazon.com/s3/home",
    "https://evil.example/",
    "https://console.aws.amazon.com.evil.example/",
    "https://user@console.aws.amazon.com/",
    "https://console.aws.amazon.com:8443/",
    "https://console.amazonaws.cn/s3/home",  # another partition
])
def test_destination_off_the_partition_console_is_refused(signed: World, url: str) -> None:
    r = signed.cli("console", "dev", "--destination", url, "--print")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "console.aws.amazon.com" in r.stderr
    assert signed.count("GetSigninToken") == 0


def test_destination_on_the_console_is_kept(signed: World) -> None:
    dest = "https://s3.console.aws.amazon.com/s3/buckets/b?region=eu-west-1&tab=objects"
    r = signed.cli("console", "dev", "--destination", dest, "--print")
    assert r.returncode == 0, r.stderr
    assert query(r.stdout.strip())["Destination"] == dest


def test_region_of_another_partition_is_refused(signed: World) -> None:
    r = signed.cli("console", "dev", "--region", "cn-north-1", "--print")
    assert r.returncode == 2 and r.stdout == ""
    assert "partition aws-cn" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("text", "seconds"), [("2h", 7200), ("90m", 5400), ("900", 900),
                                               ("12h", 43200), ("1h30m", 5400)])
def test_duration_reaches_the_federation_endpoint(signed: World, text: str,
                                                  seconds: int) -> None:
    r = signed.cli("console", "dev", "--duration", text, "--print")
    assert r.returncode == 0, r.stderr
    assert f"Session duration: {seconds}<" in page(r.stdout.strip())


@pytest.mark.parametrize("text", ["10m", "13h", "43201", "soon", "1d"])
def test_duration_out_of_range_is_refused(signed: World, text: str) -> None:
    r = signed.cli("console", "dev", "--duration", text, "--print")
    assert r.returncode == 2 and r.stdout == "" and "15m to 12h" in r.stderr
    assert signed.count("GetRoleCredentials") == 0


def test_duration_is_not_sent_for_a_chained_role_and_said_so(signed: World) -> None:
    # The emulator, like AWS, refuses the whole sign-in when a chained session asks.
    r = signed.cli("console", "hop1", "--duration", "2h", "--print")
    assert r.returncode == 0, r.stderr
    assert "--duration not sent" in r.stderr and "chained" in r.stderr
    text = page(r.stdout.strip())
    assert "Signed in as role deploy in account 222222222222" in text
    assert "Session duration: default" in text


def portal_parts(link: str) -> tuple[str, str, dict[str, str]]:
    base, _, fragment = link.partition("#")
    path, _, qs = fragment.partition("?")
    return base, path, dict(urllib.parse.parse_qsl(qs, strict_parsing=True))


def test_via_portal_prints_the_shortcut_link_from_local_data(configured: World) -> None:
    # Not signed in: the link needs no credentials and no network.
    r = configured.cli("console", "native", "--via-portal", "--service", "s3", "--print")
    assert r.returncode == 0, r.stderr
    base, path, fields = portal_parts(r.stdout.strip())
    assert base == configured.emu.start_url.rstrip("/") + "/" and path == "/console"
    assert fields == {"account_id": "222222222222", "role_name": "Developer",
                      "destination": "https://us-west-2.console.aws.amazon.com/s3/home"
                                     "?region=us-west-2"}
    assert configured.count("GetRoleCredentials") == 0
    # Every kind of Identity Center profile: awsenv's, legacy inline (no region, no page
    # asked for: the portal's own landing, the console home).
    r = configured.cli("console", "legacy", "--via-portal", "--print")
    assert portal_parts(r.stdout.strip())[2] == {
        "account_id": "333333333333", "role_name": "ReadOnlyAccess"}
    r = configured.cli("console", "dev", "--via-portal", "--print")
    assert portal_parts(r.stdout.strip())[2]["account_id"] == "111111111111"


def test_via_portal_refuses_a_chained_role(configured: World) -> None:
    for args in (["hop1"], ["--chain", DEPLOY, "dev"]):
        r = configured.cli("console", *args, "--via-portal", "--print")
        assert r.returncode == 2 and r.stdout == "", r.stderr
        assert "portal cannot sign in" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


# A browser that fetches the one-shot loopback link without following it and records
# where it was sent (the portal link, which must not be in its argv either).
LOCATION_BROWSER = """\
import http.client, pathlib, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[-1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
c.request("GET", u.path)
tmp = pathlib.Path(sys.argv[0]).with_suffix(".tmp")
tmp.write_text(sys.argv[-1] + "\\n" + (c.getresponse().getheader("Location") or ""))
tmp.rename(tmp.with_suffix(".url"))
"""


def test_via_portal_opens_through_the_loopback_hand_off(configured: World) -> None:
    import time

    script = Path(configured.browser_script("browser", LOCATION_BROWSER))
    r = configured.cli("console", "native", "--via-portal", "--service", "ec2",
                       extra={"BROWSER": str(script)})
    assert r.returncode == 0, r.stderr
    record, deadline = script.with_suffix(".url"), time.monotonic() + 60
    while not record.exists():
        assert time.monotonic() < deadline, "the browser never reported"
        time.sleep(0.05)
    argv, location = record.read_text().split("\n")
    assert argv.startswith("http://127.0.0.1:") and "/h/" in argv and "#" not in argv
    base, path, fields = portal_parts(location)
    assert base == configured.emu.start_url.rstrip("/") + "/" and path == "/console"
    assert fields["role_name"] == "Developer"
    assert urllib.parse.urlsplit(fields["destination"]).path == "/ec2/home"


@pytest.mark.parametrize(("region", "url"), [
    ("us-gov-west-1", "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"),
    ("cn-northwest-1", "https://console.amazonaws.cn/s3/home?region=cn-northwest-1"),
    ("ap-south-1", "https://ap-south-1.console.aws.amazon.com/s3/home?region=ap-south-1"),
])
def test_partition_hosts_follow_the_region(region: str, url: str) -> None:
    assert core.service_destination("s3", region) == url
    assert core.check_destination(url, region) == url
    other = "us-east-1" if region != "ap-south-1" else "cn-north-1"
    with pytest.raises(AwsenvError):
        core.check_destination(url, other)


def test_portal_link_encodes_the_destination() -> None:
    dest = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:"
    link = core.portal_link("https://d-1.awsapps.com/start/#/", "111111111111", "Admin", dest)
    assert link == ("https://d-1.awsapps.com/start/#/console?account_id=111111111111"
                    "&role_name=Admin&destination=" + urllib.parse.quote(dest, safe=""))


R, A = "eu-central-1", "111111111111"
HOST = f"https://{R}.console.aws.amazon.com"


@pytest.mark.parametrize(("arn", "url"), [
    ("arn:aws:s3:::my-bucket", "https://console.aws.amazon.com/s3/buckets/my-bucket"),
    ("arn:aws:s3:::my-bucket/a/b c.txt",
     "https://console.aws.amazon.com/s3/object/my-bucket?prefix=a%2Fb%20c.txt"),
    (f"arn:aws:lambda:{R}:{A}:function:fn:prod", f"{HOST}/lambda/home?region={R}#/functions/fn"),
    (f"arn:aws:iam::{A}:role/service/deploy",
     "https://console.aws.amazon.com/iam/home#/roles/details/deploy"),
    (f"arn:aws:iam::{A}:user/alice", "https://console.aws.amazon.com/iam/home#/users/details/alice"),
    (f"arn:aws:iam::{A}:policy/p1", "https://console.aws.amazon.com/iam/home#/policies/details/"
     + urllib.parse.quote(f"arn:aws:iam::{A}:policy/p1", safe="")),
    (f"arn:aws:ec2:{R}:{A}:instance/i-0abc",
     f"{HOST}/ec2/home?region={R}#InstanceDetails:instanceId=i-0abc"),
    (f"arn:aws:cloudformation:{R}:{A}:stack/st/uuid-1",
     f"{HOST}/cloudformation/home?region={R}#/stacks/stackinfo?stackId="
     + urllib.parse.quote(f"arn:aws:cloudformation:{R}:{A}:stack/st/uuid-1", safe="")),
    (f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/fn:*",
     f"{HOST}/cloudwatch/home?region={R}#logsV2:log-groups/log-group/$252Faws$252Flambda$252Ffn"),
    (f"arn:aws:dynamodb:{R}:{A}:table/t1", f"{HOST}/dynamodbv2/home?region={R}#table?name=t1"),
    (f"arn:aws:ecs:{R}:{A}:cluster/c1", f"{HOST}/ecs/v2/clusters/c1?region={R}"),
    (f"arn:aws:ecs:{R}:{A}:service/c1/s1", f"{HOST}/ecs/v2/clusters/c1/services/s1?region={R}"),
    (f"arn:aws:rds:{R}:{A}:db:d1", f"{HOST}/rds/home?region={R}#database:id=d1;is-cluster=false"),
    (f"arn:aws:rds:{R}:{A}:cluster:c1",
     f"{HOST}/rds/home?region={R}#database:id=c1;is-cluster=true"),
    (f"arn:aws:sqs:{R}:{A}:q1", f"{HOST}/sqs/v3/home?region={R}#/queues/"
     + urllib.parse.quote(f"https://sqs.{R}.amazonaws.com/{A}/q1", safe="")),
    (f"arn:aws:sns:{R}:{A}:topic1",
     f"{HOST}/sns/v3/home?region={R}#/topic/arn:aws:sns:{R}:{A}:topic1"),
    (f"arn:aws:secretsmanager:{R}:{A}:secret:db/pass-AbC123",
     f"{HOST}/secretsmanager/secret?name=db%2Fpass&region={R}"),
    (f"arn:aws:kms:{R}:{A}:key/1234abcd", f"{HOST}/kms/home?region={R}#/kms/keys/1234abcd"),
    ("arn:aws-cn:lambda:cn-north-1:111111111111:function:fn",
     "https://console.amazonaws.cn/lambda/home?region=cn-north-1#/functions/fn"),
])
def test_resource_pages(arn: str, url: str) -> None:
    from awsenv import consolearn

    assert consolearn.page(consolearn.resource(arn), None) == url


@pytest.mark.parametrize("arn", ["arn:aws:glue:eu-west-1:111111111111:job/j", "arn:nope",
                                 "arn:aws:lambda:cn-north-1:111111111111:function:fn"])
def test_other_arns_are_one_line(configured: World, arn: str) -> None:
    r = configured.cli("console", arn, "--print")
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1


def test_arn_signs_in_to_the_only_role_of_its_account(signed: World) -> None:
    r = signed.cli("console", f"arn:aws:lambda:{R}:{A}:function:fn", "--print")
    assert r.returncode == 0, r.stderr
    assert "as profile dev (111111111111/AdministratorAccess)" in r.stderr
    dest = landing(r.stdout.strip())
    assert (dest.hostname, dest.path, dest.query, dest.fragment) == (
        f"{R}.console.aws.amazon.com", "/lambda/home", f"region={R}", "/functions/fn")
    assert "Signed in as role AdministratorAccess in account 111111111111" in page(
        r.stdout.strip())
    # An S3 ARN names no account: the current profile, in its region.
    r = signed.cli("console", "arn:aws:s3:::bkt", "--print", extra={"AWSENV_PROFILE": "dev"})
    assert r.returncode == 0, r.stderr
    assert landing(r.stdout.strip()).path == "/s3/buckets/bkt"


def test_arn_picks_the_current_role_name_else_lists_candidates(configured: World) -> None:
    arn = "arn:aws:iam::222222222222:role/x"
    # Account 222… has native (Developer) and unassigned (AdministratorAccess).
    r = configured.cli("console", arn, "--via-portal", "--print",
                       extra={"AWSENV_PROFILE": "dev"})
    assert r.returncode == 0, r.stderr
    fields = portal_parts(r.stdout.strip())[2]
    assert fields["account_id"] == "222222222222"
    assert fields["role_name"] == "AdministratorAccess"
    assert fields["destination"] == "https://console.aws.amazon.com/iam/home#/roles/details/x"
    r = configured.cli("console", arn, "--via-portal", "--print")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "native (Developer), unassigned (AdministratorAccess)" in r.stderr
    r = configured.cli("console", "arn:aws:iam::999999999999:role/x", "--print")
    assert r.returncode == 4 and "account 999999999999" in r.stderr
    assert configured.count("GetRoleCredentials") == 0
