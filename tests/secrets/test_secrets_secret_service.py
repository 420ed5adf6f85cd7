"""Against a real (throwaway) gnome-keyring Secret Service.

Run: tests/with-secret-service .venv/bin/python -m pytest -m keyring tests/secrets
What awsenv stored is read back by a separate process speaking to the Secret
Service through secretstorage directly, not through awsenv or keyring.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from awsenv.auth import secrets
from awsenv.auth.secrets import SessionSecrets

pytestmark = pytest.mark.keyring

READER = """
import json, sys, time
from contextlib import closing
import secretstorage
from secretstorage.exceptions import ItemNotFoundException


def listing(bus):
    found = {}
    for item in secretstorage.get_default_collection(bus).get_all_items():
        attrs = item.get_attributes()
        if attrs.get("service", "").startswith(sys.argv[1]):
            found[attrs["service"] + "|" + attrs.get("username", "")] = (
                item.get_secret().decode("utf-8"))
    return found


with closing(secretstorage.dbus_init()) as bus:
    for attempt in range(20):
        try:
            found = listing(bus)
            break
        except ItemNotFoundException:
            # Other test workers share this keyring: an item of theirs can go
            # between the collection's listing and the read of its attributes.
            time.sleep(0.05)
    else:
        found = listing(bus)
print(json.dumps(found))
"""


def stored(prefix: str) -> dict[str, str]:
    """Every keyring entry whose service starts with PREFIX, read past awsenv and keyring."""
    out = subprocess.run([sys.executable, "-c", READER, prefix], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return {k.split("|")[0]: v for k, v in json.loads(out.stdout).items()
            if k.split("|")[1] == "session"}


def test_values_really_stored_in_the_secret_service() -> None:
    value = SessionSecrets(client_secret="ss-client-secret", refresh_token="ss-refresh-token")
    secrets.save("ss-dev", value)
    entry = stored("awsenv:ss-dev")
    assert list(entry) == ["awsenv:ss-dev"]
    assert json.loads(entry["awsenv:ss-dev"]) == {
        "v": 1, "clientSecret": "ss-client-secret", "refreshToken": "ss-refresh-token"}
    assert secrets.load("ss-dev") == value
    assert secrets.delete("ss-dev") is True
    assert stored("awsenv:ss-dev") == {}


def test_chunked_values_and_delete() -> None:
    token = ("\U0001f511" + "r" * 99) * 50  # 5,000 code points, astral characters throughout
    value = SessionSecrets(client_secret="c" * 400, refresh_token=token)
    secrets.save("ss-big", value)
    entry = stored("awsenv:ss-big")
    assert entry["awsenv:ss-big"].startswith("awsenv:v1:chunked:")
    count = int(entry["awsenv:ss-big"].split(":")[3])
    assert sorted(entry) == sorted(["awsenv:ss-big", *(f"awsenv:ss-big:{i}" for i in range(count))])
    assert all(len(p.encode("utf-16-le")) <= 2400 for k, p in entry.items() if k[-1].isdigit())
    assert secrets.load("ss-big") == value
    secrets.save("ss-big", SessionSecrets("c", "short"))
    assert list(stored("awsenv:ss-big")) == ["awsenv:ss-big"]
    secrets.save("ss-big", value)
    assert secrets.delete("ss-big") is True
    assert stored("awsenv:ss-big") == {}
    assert secrets.load("ss-big") is None


def test_probe_and_backend_info() -> None:
    info = secrets.backend_info()
    assert (info.name, info.usable) == ("keyring.backends.SecretService.Keyring", True)
    probed = secrets.probe(10)
    assert probed.usable, probed.detail
    assert stored("awsenv:probe:") == {}
