"""A local, wire-compatible IAM Identity Center for tests and the sandbox.

Real botocore/boto3 clients (and the AWS CLI) talk to it unchanged through
``AWS_ENDPOINT_URL_SSO_OIDC``, ``AWS_ENDPOINT_URL_SSO``, ``AWS_ENDPOINT_URL_STS``
and ``AWS_ENDPOINT_URL_SIGNIN`` (``Emulator.env()``). One loopback port serves
every service: sso-oidc, the sso portal, STS GetCallerIdentity and AssumeRole (SigV4
checked; AssumeRole against the IAM roles and trust in the ``Directory``),
console federation, the device/authorize pages and ``/__admin/*``.

Knobs (``Emulator(**knobs)``, ``emu.configure(**knobs)``, ``awsenv emulator --flags``,
``POST /__admin/configure``) are the fields of ``Knobs``: lifetimes
(``access_token_ttl``, ``session_ttl``, ``credential_ttl``, ``assume_role_ttl``,
``registration_ttl``,
``device_code_ttl``, ``device_interval``), approvals (``auto_approve``,
``deny_approvals``), faults (``latency_ms``, ``throttle_rate``, ``tps_limit``,
``error_rate`` + ``error_operations``, ``malformed``, ``seed``), ``sts_regions``
(regions STS answers for besides ``region``; others are refused),
``refresh_rotation``, and the service's strings ``user_name`` and
``verification_uri`` (tests make them hostile). Counters are keyed by operation name
(``ListAccounts``,
``CreateToken`` and ``CreateToken:<grant>``, ``GetCallerIdentity``, ``AssumeRole``,
``GetSigninToken``, ``FederationLogin``, ``Authorize``, ...).

Regions: the instance lives in ``region``. A request that reaches the emulator by
AWS's own regional host name (``oidc.<r>.amazonaws.com`` through a proxy playing
them, tests/interop) is that region's endpoint; a loopback URL is the instance's
own. A client registered in another region (a wrong ``sso_region``) is treated
as AWS treats it: its registration and device authorization succeed, but the
approval fails on the page with "Invalid grant provided" (counter
``InvalidGrantPage``), so the client polls until its code expires, and a PKCE
browser is never sent back; a registration is unknown in other regions.

Admin over HTTP (JSON): GET ``counters``, ``knobs``, ``pending``; POST ``configure``,
``reset-counters``, ``revoke-all``, ``expire-access-tokens``, ``advance-clock``
``{"seconds"}``, ``approve``/``deny`` ``{"user_code"}``, ``sign-in`` ``{"scopes"}``,
``directory`` (the ``Directory`` JSON format). ``RemoteEmulator(url)`` wraps them.
"""

from awsenv.emulator.api import Emulator
from awsenv.emulator.directory import Account, Directory
from awsenv.emulator.remote import RemoteEmulator
from awsenv.emulator.state import DEFAULT_REGION, DEFAULT_START_URL, Knobs

__all__ = ["DEFAULT_REGION", "DEFAULT_START_URL", "Account", "Directory", "Emulator", "Knobs",
           "RemoteEmulator"]
