"""A local, wire-compatible IAM Identity Center for tests and the sandbox.

Real botocore/boto3 clients (and the AWS CLI) talk to it unchanged through
``AWS_ENDPOINT_URL_SSO_OIDC``, ``AWS_ENDPOINT_URL_SSO``, ``AWS_ENDPOINT_URL_STS``
and ``AWS_ENDPOINT_URL_SIGNIN`` (``Emulator.env()``). One loopback port serves
every service: sso-oidc, the sso portal, STS GetCallerIdentity (SigV4 checked),
console federation, the device/authorize pages and ``/__admin/*``.
"""

from awsenv.emulator.api import Emulator
from awsenv.emulator.directory import Account, Directory
from awsenv.emulator.remote import RemoteEmulator
from awsenv.emulator.state import DEFAULT_REGION, DEFAULT_START_URL, Knobs

__all__ = ["DEFAULT_REGION", "DEFAULT_START_URL", "Account", "Directory", "Emulator", "Knobs",
           "RemoteEmulator"]
