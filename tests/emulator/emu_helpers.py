"""Real boto3 clients pointed at the emulator, and a device sign-in helper."""

from __future__ import annotations

from typing import Any

from awsenv.emulator import Emulator

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def client(emu: Emulator, service: str, *, attempts: int | None = None, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` talking to ``emu`` (unsigned unless creds are given)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    cfg: dict[str, Any] = {}
    if "aws_access_key_id" not in kwargs:
        cfg["signature_version"] = UNSIGNED
    if attempts is not None:
        cfg["retries"] = {"total_max_attempts": attempts, "mode": "legacy"}
    return boto3.client(service, region_name=emu.region, endpoint_url=emu.url,
                        config=Config(**cfg), **kwargs)


def register(oidc: Any, scopes: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"clientName": "test-client", "clientType": "public", **extra}
    if scopes is not None:
        args["scopes"] = scopes
    return oidc.register_client(**args)


def device_sign_in(emu: Emulator, oidc: Any, scopes: list[str] | None = None
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register + device flow with an explicit approval; returns (registration, tokens)."""
    reg = register(oidc, scopes if scopes is not None else ["sso:account:access"])
    dev = oidc.start_device_authorization(clientId=reg["clientId"],
                                          clientSecret=reg["clientSecret"],
                                          startUrl=emu.start_url)
    if dev["userCode"] in emu.pending_user_codes():
        emu.approve(dev["userCode"])
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    return reg, tok
