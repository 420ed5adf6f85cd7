"""Who the endpoint answers, and where its bearer token never goes.

Requests are made with http.client (raw HTTP, to see the exact status and
body), and the clients' SDKs are real.
"""

from __future__ import annotations

import http.client
import json
import sys
from typing import Any
from urllib.parse import urlsplit

from serve.conftest import CLIENT, client_env, cmdlines, run, serving
from support.world import World


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None,
            path: str | None = None) -> tuple[int, bytes, dict[str, str]]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, path if path is not None else parts.path or "/",
                     headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def test_a_missing_or_wrong_token_is_refused_without_detail(signed: World) -> None:
    with serving(signed, "dev") as served:
        status, body, _ = request(served.url)
        assert (status, body) == (401, b"")
        status, body, _ = request(served.url, headers={"Authorization": served.token[:-1] + "x"})
        assert (status, body) == (403, b"")
        status, body, _ = request(served.url, headers={"Authorization": "Bearer " + served.token})
        assert (status, body) == (403, b"")
        # The right token: credentials, never cached by anything in between.
        status, body, headers = request(served.url, headers={"Authorization": served.token})
        assert status == 200 and headers["Cache-Control"] == "no-store"
        assert set(json.loads(body)) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
        # Right token, a profile it does not serve; a page that rebinds its DNS name.
        assert request(served.url, headers={"Authorization": served.token},
                       path="/prod")[0] == 404
        status, body, _ = request(served.url, headers={"Authorization": served.token,
                                                       "Host": "evil.example:80"})
        assert (status, body) == (403, b"")
        wrong = client_env(signed, {**served.variables,
                                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "guess"})
        r = run([sys.executable, str(CLIENT), "identity"], wrong)
        assert r.returncode == 1 and "403" in r.stdout
        assert served.token not in r.stdout + r.stderr
    assert signed.grc() == 1


def test_imds_needs_a_session_token_like_imdsv2(signed: World) -> None:
    with serving(signed, "dev", "--imds") as served:
        base = served.url.rstrip("/")
        listing = base + "/latest/meta-data/iam/security-credentials/"
        assert request(listing)[:2] == (401, b"")  # IMDSv1: refused
        assert request(listing, headers={"X-aws-ec2-metadata-token": "made-up"})[:2] == (401, b"")
        token_url = base + "/latest/api/token"
        assert request(token_url, "PUT")[:2] == (400, b"")  # no TTL header
        for bad in ("\xb2", "9" * 5000, "0", "21601", "-5"):  # 400, never a 500
            assert request(token_url, "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": bad}
                           )[:2] == (400, b""), bad
        assert request(token_url, "GET")[0] == 405
        ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
        assert request(token_url, "PUT", {**ttl, "X-Forwarded-For": "10.0.0.1"})[:2] == (403, b"")
        status, token, headers = request(token_url, "PUT", ttl)
        assert status == 200 and headers["X-aws-ec2-metadata-token-ttl-seconds"] == "60"
        session = {"X-aws-ec2-metadata-token": token.decode()}
        status, role, _ = request(listing, headers=session)
        assert status == 200 and role == b"AdministratorAccess"
        status, body, _ = request(listing + role.decode(), headers=session)
        doc: dict[str, Any] = json.loads(body)
        assert status == 200 and doc["Code"] == "Success" and doc["Type"] == "AWS-HMAC"
        assert request(listing + "Other", headers=session)[0] == 404


def test_the_token_is_in_no_argv_and_no_debug_line(signed: World) -> None:
    with serving(signed, "dev", "--debug") as served:
        identity = run([sys.executable, str(CLIENT), "identity"],
                       client_env(signed, served.variables))
        assert identity.returncode == 0, identity.stdout
        token = served.token.encode()
        found = {pid: line for pid, line in cmdlines().items() if token in line}
        assert not found, found
        secret = json.loads(identity.stdout)["key"]
        err = served.stop()
    assert "awsenv[debug] awsenv.serve.server: GET /dev -> 200" in err  # --debug did log
    assert served.token not in err and secret not in err


def test_loopback_by_default_and_a_warning_for_any_other_address(signed: World) -> None:
    with serving(signed, "dev") as served:
        pass
    assert "warning" not in served.stderr
    with serving(signed, "dev", "--bind", "0.0.0.0") as served:
        # Local clients still get a loopback URL (botocore takes no other over http).
        assert served.url.startswith("http://127.0.0.1:")
        assert request(served.url, headers={"Authorization": served.token})[0] == 200
    assert "awsenv: warning: serving on 0.0.0.0, not loopback" in served.stderr
    with serving(signed, "dev", "--imds", "--bind", "0.0.0.0") as served:
        pass
    assert "anyone who reaches it gets these credentials" in served.stderr


OTHER_USER_PROBE = """
import http.client, sys
host, port = sys.argv[1], int(sys.argv[2])
for method, path, headers in (("PUT", "/latest/api/token",
                               {"X-aws-ec2-metadata-token-ttl-seconds": "60"}),
                              ("GET", "/latest/meta-data/iam/security-credentials/", {})):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request(method, path, headers=headers)
    r = conn.getresponse()
    print(r.status, len(r.read()))
"""


def test_imds_answers_no_other_local_user(signed: World, other_user: Any) -> None:
    """IMDS has no token to give a client, so on loopback only this user's (and root's)
    sockets are answered: another local user gets a bare 403 even for the token PUT."""
    with serving(signed, "dev", "--imds") as served:
        parts = urlsplit(served.url)
        r = other_user.run(["/usr/bin/python3", "-I", "-c", OTHER_USER_PROBE,
                            str(parts.hostname), str(parts.port)])
        assert r.stdout.split() == ["403", "0", "403", "0"], r.stdout
        # The same probe as this user gets a session token.
        mine = run(["/usr/bin/python3", "-I", "-c", OTHER_USER_PROBE, str(parts.hostname),
                    str(parts.port)], client_env(signed, {}))
        assert mine.stdout.split()[:2] == ["200", "43"] and mine.stdout.split()[2] == "401"


def test_container_runtime_names_only_where_a_token_guards(signed: World) -> None:
    """`host.docker.internal` is a name a hostile resolver can point at 127.0.0.1 for a
    web page: accepted in container mode (the page has no token), refused in IMDS mode
    (which has no secret to ask for)."""
    docker = {"Host": "host.docker.internal"}
    with serving(signed, "dev", "--imds") as served:
        token_url = served.url.rstrip("/") + "/latest/api/token"
        ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
        assert request(token_url, "PUT", {**ttl, **docker})[:2] == (403, b"")
        assert request(token_url, "PUT", ttl)[0] == 200
    with serving(signed, "dev") as served:
        auth = {"Authorization": served.token}
        assert request(served.url, headers={**auth, **docker})[0] == 200
        assert request(served.url, headers=docker)[0] == 401
