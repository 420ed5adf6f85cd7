"""Portal answers the emulator cannot give (a looping page token, 403 per account).

A minimal stand-in client raising botocore's own ClientError shapes, driving
the real PortalLister; everything else is tested against the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from awsenv.errors import ServiceError
from awsenv.portal import PortalLister, RetryPolicy

FAST = RetryPolicy(base_s=0.001, cap_s=0.002)


def error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "No access"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "ListAccountRoles")


class Client:
    def __init__(self, loop: bool = False) -> None:
        self.loop = loop
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def list_accounts(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("ListAccounts", kw))
        return {"accountList": [{"accountId": "111111111111", "accountName": "a",
                                 "emailAddress": "a@x"},
                                {"accountId": "222222222222", "accountName": "b",
                                 "emailAddress": "b@x"}],
                "nextToken": "same" if self.loop else None}

    def list_account_roles(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("ListAccountRoles", kw))
        if kw["accountId"] == "222222222222":
            raise error("ForbiddenException", 403)
        return {"roleList": [{"roleName": "Admin", "accountId": kw["accountId"]}]}


def test_a_repeated_page_token_stops_instead_of_looping() -> None:
    client = Client(loop=True)
    with pytest.raises(ServiceError, match="repeated a ListAccounts page token"):
        PortalLister(client, "tok", rate=1000, policy=FAST).run()
    assert len(client.calls) == 2


def test_a_refused_account_is_marked_not_emptied_silently() -> None:
    found = PortalLister(Client(), "tok", rate=1000, policy=FAST).run()
    assert [(a.account_id, a.roles, a.error) for a in found] == [
        ("111111111111", ["Admin"], None), ("222222222222", [], "ForbiddenException")]


def test_other_client_errors_are_not_retried() -> None:
    class Bad(Client):
        def list_accounts(self, **kw: Any) -> dict[str, Any]:
            self.calls.append(("ListAccounts", kw))
            raise error("InvalidRequestException", 400)

    client = Bad()
    with pytest.raises(ServiceError, match="ListAccounts failed: InvalidRequestException"):
        PortalLister(client, "tok", rate=1000, policy=FAST).run()
    assert len(client.calls) == 1
