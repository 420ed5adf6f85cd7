"""The sessions of awsenv.auth.clients share one botocore data loader (awsenv.auth.botoloader).

Without it each new session parsed every model and endpoints.json again and, before
loading a model, listed all ~900 service directories botocore ships: ~70 ms for a
session's first clients, paid again whenever HOME or the AWS config changed (serve).
The loader must still refuse an unknown service and honour models on AWS_DATA_PATH.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest

from awsenv.auth import botoloader, clients
from awsenv.environment import Environment

REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No session or loader left from another test of this worker."""
    monkeypatch.setattr(clients, "_SHARED", None)
    monkeypatch.setattr(botoloader, "_LOADERS", {})


@pytest.fixture
def files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every data file botocore's loaders read from now on."""
    read: list[str] = []
    real = botocore.loaders.JSONFileLoader.load_file

    def counting(self: Any, file_path: str) -> Any:
        read.append(file_path)
        return real(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    return read


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every directory listed from now on."""
    seen: list[str] = []
    real = os.listdir

    def counting(path: Any = ".") -> list[str]:
        seen.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", counting)
    return seen


def test_a_new_session_parses_no_model_again(files_read: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    env = Environment.from_os()
    clients.oidc(env, REGION)
    clients.portal(env, REGION)
    first = clients._SHARED
    assert files_read, "the first session must read botocore's data"
    files_read.clear()
    # What botocore read changed (another AWS_* variable): a new session, the same data.
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "json")
    clients.oidc(Environment.from_os(), REGION)
    clients.portal(Environment.from_os(), REGION)
    assert clients._SHARED is not first
    assert files_read == []


def test_only_awsenvs_services_are_listed(listed: list[str]) -> None:
    clients.portal(Environment.from_os(), REGION)
    data = botocore.loaders.Loader.BUILTIN_DATA_PATH
    # Before: one listdir of the data directory and one of each of its ~900 services.
    assert data not in listed
    assert len(listed) <= 3 * len(botoloader.SERVICES) * 3, listed


def test_an_unknown_service_is_still_refused() -> None:
    session = botocore.session.Session()
    session.register_component("data_loader", botoloader.shared(None))
    with pytest.raises(botocore.exceptions.UnknownServiceError):
        session.create_client("s3", region_name=REGION)
    # botocore's own check lists what the loader knows: ours, each of which loads.
    assert set(session.get_available_services()) == set(botoloader.SERVICES)


def test_a_model_on_aws_data_path_still_wins(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = botocore.loaders.Loader().load_service_model("sso", "service-2")
    version = shipped["metadata"]["apiVersion"]
    model = json.loads(json.dumps(shipped))
    model["metadata"]["serviceFullName"] = "AWS Single Sign-On (from AWS_DATA_PATH)"
    folder = tmp_path / "models" / "sso" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    client = clients.portal(Environment.from_os(), REGION)
    assert client.meta.service_model.metadata["serviceFullName"].endswith("(from AWS_DATA_PATH)")
    # The loader without that path (another data_path) still has botocore's own model.
    monkeypatch.delenv("AWS_DATA_PATH")
    client = clients.portal(Environment.from_os(), REGION)
    assert "AWS_DATA_PATH" not in client.meta.service_model.metadata["serviceFullName"]
