"""The cache hit's json-free codec agrees with ``json`` on everything awsenv writes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsenv import fastjson
from awsenv.creds import record

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_loads_matches_json_on_compact_documents(value: object) -> None:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    assert fastjson.loads(text) == json.loads(text)


@given(JSON)
def test_dumps_is_compact_json_dumps(value: object) -> None:
    assert fastjson.dumps(value) == json.dumps(value, separators=(",", ":"))


def test_dumps_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        fastjson.dumps({"a": object()})
    with pytest.raises(TypeError):
        fastjson.dumps({("tuple", "key"): 1})


@given(st.text())
def test_quote_is_json_dumps(value: str) -> None:
    assert fastjson.quote(value) == json.dumps(value)


@pytest.mark.parametrize("bad", ["", "{", '{"a":1} ', '{"a":1}{}', "NaN", "[Infinity]",
                                 '{"a":"\x01"}', "\ufeff{}"])
def test_loads_rejects_what_the_hit_must_not_trust(bad: str) -> None:
    with pytest.raises(ValueError):
        fastjson.loads(bad)


@given(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1),
       st.floats(min_value=0, max_value=4e9))
def test_process_json_is_the_indented_json_botocore_reads(key: str, secret: str, token: str,
                                                           expiration: float) -> None:
    out = record.process_json({"access_key_id": key, "secret_access_key": secret,
                               "session_token": token, "expiration": expiration})
    assert out == json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret,
                              "SessionToken": token,
                              "Expiration": record.iso_z(expiration)}, indent=2)
