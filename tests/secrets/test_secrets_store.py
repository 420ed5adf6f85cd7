"""Round trips, chunking and deletion through the file test backend (tests/support/file_keyring.py).

The test backend stores entries in a JSON file keyed "service\\0username", so
these tests look at exactly what awsenv left in the keyring.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsenv.auth import keyring_chunks, secrets
from awsenv.auth.secrets import SessionSecrets
from awsenv.errors import KeyringError

MANIFEST = re.compile(r"awsenv:v1:chunked:(\d+):([0-9a-f]{64})")


def entries() -> dict[str, str]:
    try:
        with open(os.environ["AWSENV_TEST_KEYRING_FILE"]) as fh:
            return {k.split("\0")[0]: v for k, v in json.load(fh).items()}
    except FileNotFoundError:
        return {}


def write_entries(data: dict[str, str]) -> None:
    with open(os.environ["AWSENV_TEST_KEYRING_FILE"], "w") as fh:
        json.dump({f"{k}\0session": v for k, v in data.items()}, fh)


def astral_token(length: int, offset: int) -> str:
    """``length`` code points; astral characters sit where 1200-unit cuts would halve them.

    ``offset`` is how many UTF-16 units of the stored JSON precede the token.
    """
    chars = []
    units = offset
    while len(chars) < length:
        # one unit short of a piece boundary: the next character must be astral
        ch = "\U0001f511" if units % 1200 == 1199 else "abcdef0123456789"[len(chars) % 16]
        chars.append(ch)
        units += 2 if ch > "\uffff" else 1
    return "".join(chars)


@pytest.fixture
def windows_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWSENV_TEST_KEYRING_MAXLEN", "1280")


def test_round_trip_single_entry() -> None:
    value = SessionSecrets(client_secret="cs-123", refresh_token="rt-456")
    assert secrets.load("dev") is None
    secrets.save("dev", value)
    assert secrets.load("dev") == value
    stored = entries()
    assert list(stored) == ["awsenv:dev"]
    assert json.loads(stored["awsenv:dev"]) == {"v": 1, "clientSecret": "cs-123",
                                                "refreshToken": "rt-456"}


def test_refresh_token_may_be_absent() -> None:
    secrets.save("https://example.awsapps.com/start", SessionSecrets("cs", None))
    assert secrets.load("https://example.awsapps.com/start") == SessionSecrets("cs", None)


def test_sessions_are_separate_entries() -> None:
    secrets.save("dev", SessionSecrets("a", "1"))
    secrets.save("prod", SessionSecrets("b", "2"))
    assert secrets.load("dev") == SessionSecrets("a", "1")
    assert secrets.load("prod") == SessionSecrets("b", "2")
    assert secrets.delete("dev") is True
    assert secrets.load("prod") == SessionSecrets("b", "2")


def test_chunked_value_with_astral_characters(windows_limit: None) -> None:
    prefix = '{"v":1,"clientSecret":"' + "c" * 300 + '","refreshToken":"'
    token = astral_token(5000, len(prefix))
    value = SessionSecrets(client_secret="c" * 300, refresh_token=token)
    assert secrets._encode(value).startswith(prefix)
    secrets.save("dev", value)
    assert secrets.load("dev") == value
    stored = entries()
    match = MANIFEST.fullmatch(stored["awsenv:dev"])
    assert match, "primary entry must be a manifest"
    count = int(match.group(1))
    pieces = [stored[f"awsenv:dev:{i}"] for i in range(count)]
    assert set(stored) == {"awsenv:dev", *(f"awsenv:dev:{i}" for i in range(count))}
    for piece in pieces:
        # each piece is valid UTF-16 on its own (no half surrogate pair) and fits Windows
        assert len(piece.encode("utf-16-le")) // 2 <= 1200
        assert piece
    # the astral characters really sat on the boundaries: some piece was cut short by one
    assert any(len(p.encode("utf-16-le")) // 2 == 1199 for p in pieces[:-1])
    assert "".join(pieces) == json.dumps(
        {"v": 1, "clientSecret": value.client_secret, "refreshToken": token},
        separators=(",", ":"), ensure_ascii=False)


def test_unchunked_value_rejected_by_windows_limit_proves_the_knob(windows_limit: None) -> None:
    """Guard for the test above: the backend really rejects what awsenv would not split."""
    from support.file_keyring import TestKeyring

    with pytest.raises(OSError, match="stub received bad data"):
        TestKeyring().set_password("x", "session", "y" * 1281)


def test_stale_pieces_removed_when_value_shrinks(windows_limit: None) -> None:
    secrets.save("dev", SessionSecrets("cs", "t" * 5000))
    assert len(entries()) == 6  # manifest + 5 pieces
    secrets.save("dev", SessionSecrets("cs", "s" * 1500))
    assert sorted(entries()) == ["awsenv:dev", "awsenv:dev:0", "awsenv:dev:1"]
    assert secrets.load("dev") == SessionSecrets("cs", "s" * 1500)
    secrets.save("dev", SessionSecrets("cs", "short"))
    assert list(entries()) == ["awsenv:dev"]
    assert secrets.load("dev") == SessionSecrets("cs", "short")


@pytest.mark.parametrize("damage", ["corrupt", "missing", "stale", "manifest", "json"])
def test_damaged_entries_read_as_absent(damage: str) -> None:
    secrets.save("dev", SessionSecrets("cs", "t" * 3000))
    stored = entries()
    if damage == "corrupt":
        stored["awsenv:dev:1"] = stored["awsenv:dev:1"][:-1] + "X"
    elif damage == "missing":
        del stored["awsenv:dev:2"]
    elif damage == "stale":
        # a piece left from another value of the same length: count fits, hash does not
        old = secrets._encode(SessionSecrets("cs", "u" * 3000))
        stored["awsenv:dev:1"] = keyring_chunks.split(old)[1]
    elif damage == "manifest":
        stored["awsenv:dev"] = "awsenv:v1:chunked:banana"
    else:
        stored = {"awsenv:dev": '{"v":1,"clientSecret":'}
    write_entries(stored)
    assert secrets.load("dev") is None


def test_future_format_reads_as_absent() -> None:
    write_entries({"awsenv:dev": '{"v":2,"clientSecret":"a","refreshToken":"b"}'})
    assert secrets.load("dev") is None


def test_delete_removes_every_piece() -> None:
    secrets.save("dev", SessionSecrets("cs", "t" * 5000))
    secrets.save("prod", SessionSecrets("cs", "p"))
    assert secrets.delete("dev") is True
    assert list(entries()) == ["awsenv:prod"]
    assert secrets.delete("dev") is False
    assert secrets.load("dev") is None


def test_delete_cleans_up_pieces_of_a_half_written_value() -> None:
    write_entries({"awsenv:dev:0": "a", "awsenv:dev:1": "b"})
    assert secrets.delete("dev") is True
    assert entries() == {}


def test_repr_and_logs_hide_values(caplog: pytest.LogCaptureFixture) -> None:
    value = SessionSecrets(client_secret="CLIENT-SECRET-QZXJ", refresh_token="REFRESH-TOKEN-QZXJ")
    assert "QZXJ" not in repr(value) and "QZXJ" not in str(value)
    assert repr(SessionSecrets("x", None)).endswith("refresh_token=None)")
    with caplog.at_level(logging.DEBUG, logger="awsenv.secrets"):
        secrets.save("dev", value)
        secrets.load("dev")
        secrets.save("dev", SessionSecrets("CLIENT-SECRET-QZXJ", "REFRESH-TOKEN-QZXJ" * 200))
        secrets.load("dev")
        secrets.delete("dev")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "keyring backend support.file_keyring.TestKeyring" in text
    assert "pieces" in text
    # A marker no temporary path can hold (the log names the keyringrc.cfg path,
    # and pytest-429 once held "42").
    assert "QZXJ" not in text


def test_backend_info_and_probe() -> None:
    info = secrets.backend_info()
    config = os.path.join(os.environ["XDG_CONFIG_HOME"], "python_keyring", "keyringrc.cfg")
    assert info == secrets.BackendInfo("support.file_keyring.TestKeyring", True,
                                       f"set by {config}")
    probed = secrets.probe(5)
    assert probed.usable and probed.name == "support.file_keyring.TestKeyring"
    assert "written, read back and deleted" in probed.detail
    assert entries() == {}  # the throwaway entry is gone


def test_session_named_like_a_piece_is_never_clobbered(windows_limit: None) -> None:
    """Sessions "dev" and "dev:1": the latter's entry is the name of the former's piece 1."""
    other = SessionSecrets("other-cs", "other-rt")
    secrets.save("dev:1", other)
    secrets.save("dev", SessionSecrets("cs", "short"))  # stale-piece sweep must stop at it
    assert secrets.load("dev:1") == other
    with pytest.raises(KeyringError) as info:
        secrets.save("dev", SessionSecrets("cs", "t" * 3000))
    assert "sso-sessions 'dev' and 'dev:1' collide" in info.value.message
    assert secrets.delete("dev") is True
    assert secrets.load("dev:1") == other
    assert list(entries()) == ["awsenv:dev:1"]


def test_split_keeps_astral_characters_whole() -> None:
    assert keyring_chunks.split("ab\U0001f511c", limit=3) == ["ab", "\U0001f511c"]
    assert keyring_chunks.split("", limit=3) == [""]
    assert keyring_chunks.split("abc", limit=3) == ["abc"]


@settings(deadline=None)  # a shared, noisy machine: no per-example time limit
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
       st.integers(min_value=2, max_value=40))
def test_split_properties(value: str, limit: int) -> None:
    pieces = keyring_chunks.split(value, limit)
    assert "".join(pieces) == value
    for piece in pieces:
        assert 0 < keyring_chunks.utf16_units(piece) <= limit or value == ""
        assert len(piece.encode("utf-16-le")) // 2 == keyring_chunks.utf16_units(piece)
    # greedy: a piece is only cut when the next character would not fit
    for piece, after in itertools.pairwise(pieces):
        assert keyring_chunks.utf16_units(piece + after[0]) > limit


def test_manifest_parsing_rejects_junk() -> None:
    good = keyring_chunks.manifest("x" * 3000, 3)
    assert keyring_chunks.parse_manifest(good) == (3, keyring_chunks.digest("x" * 3000))
    for bad in ("awsenv:v1:chunked:0:" + "0" * 64, "awsenv:v1:chunked:65:" + "0" * 64,
                "awsenv:v1:chunked:3:" + "0" * 63, good + " ", good.upper()):
        assert keyring_chunks.parse_manifest(bad) is None


def test_lone_surrogate_survives_as_an_escape() -> None:
    """A lone surrogate cannot be stored raw by any backend (no UTF-8 form): escaped instead."""
    value = SessionSecrets("cs", "a\ud800b")
    secrets.save("dev", value)
    assert secrets.load("dev") == value
    assert "\\ud800" in entries()["awsenv:dev"]
