"""What an AWS access portal (start) URL says about the region it signs in in.

The most common Identity Center sign-in failure is a wrong ``sso_region``:
RegisterClient and StartDeviceAuthorization succeed in any region, the person
signs in, and the browser ends in "Invalid grant provided" while the client
waits for an approval that never reaches its region. Some start URL forms
pin the region (or the partition), so a region that cannot be right is
refused before any of that; for the others the sign-in says which region it
uses and, when it fails, how to find the right one. Stdlib only, pure data.

Forms (AWS documentation; the regional GovCloud and China hosts as users
report them):

- ``https://NAME.awsapps.com/start``, ``https://d-XXXXXXXXXX.awsapps.com/start``:
  the commercial partition, any of its regions (the instance's own one);
- ``https://start.us-gov-home.awsapps.com/directory/ID``: AWS GovCloud (US),
  us-gov-west-1 or us-gov-east-1 (``start.REGION.us-gov-home...``: that REGION);
- ``https://start.home.awsapps.cn/directory/ID``: the China partition,
  cn-north-1 or cn-northwest-1 (``start.REGION.home.awsapps.cn``: that REGION);
- ``https://ssoins-ID.REGION.portal.amazonaws.com``: an Identity Center
  instance's portal in one of its additional Regions: exactly REGION (the CLI
  is authorized per Region); ``https://ssoins-ID.portal.REGION.app.aws`` alike.

Any other host (a custom domain) says nothing and any region is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

GOVCLOUD_REGIONS = ("us-gov-west-1", "us-gov-east-1")
CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")

_REGION = r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}"
_GOV_HOST = re.compile(rf"start\.(?:(?P<region>{_REGION})\.)?us-gov-home\.awsapps\.com")
_CN_HOST = re.compile(rf"start\.(?:(?P<region>{_REGION})\.)?home\.awsapps\.cn")
_SSOINS_HOST = re.compile(rf"ssoins-[a-z0-9]+\.(?:(?P<region>{_REGION})\.portal\.amazonaws\.com"
                          rf"|portal\.(?P<app_region>{_REGION})\.app\.aws)")
_DIRECTORY_PATH = re.compile(r"/directory/[^/?#]+/?")

# Region name prefixes of the partitions other than the commercial one ("aws").
_PARTITIONS = (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"), ("us-isob-", "aws-iso-b"),
               ("us-isof-", "aws-iso-f"), ("eu-isoe-", "aws-iso-e"), ("us-iso-", "aws-iso"),
               ("eusc-", "aws-eusc"))
_PARTITION_NAMES = {"aws": "the commercial AWS partition", "aws-us-gov": "AWS GovCloud (US)",
                    "aws-cn": "the AWS China partition"}


@dataclass(frozen=True)
class StartUrlForm:
    """One start URL form: what it is, and the regions that can be right for it."""

    label: str
    partition: str
    regions: tuple[str, ...] = ()  # the only possible regions; () = any of the partition's
    path_hint: str = ""  # the path this form must have (e.g. /directory/ID), if any


def partition(region: str) -> str:
    """The partition a region name belongs to (``cn-north-1`` → ``aws-cn``)."""
    for prefix, name in _PARTITIONS:
        if region.startswith(prefix):
            return name
    return "aws"


def form(url: str) -> StartUrlForm | None:
    """The known form ``url`` has, or None (a custom domain, an emulator)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme != "https" or not host:
        return None
    if m := _GOV_HOST.fullmatch(host):
        pinned = m.group("region")
        return StartUrlForm("an AWS GovCloud (US) start URL", "aws-us-gov",
                            (pinned,) if pinned else GOVCLOUD_REGIONS,
                            f"https://{host}/directory/<identity store ID or alias>")
    if m := _CN_HOST.fullmatch(host):
        pinned = m.group("region")
        return StartUrlForm("an AWS China start URL", "aws-cn",
                            (pinned,) if pinned else CHINA_REGIONS,
                            f"https://{host}/directory/<identity store ID or alias>")
    if m := _SSOINS_HOST.fullmatch(host):
        return StartUrlForm("a regional portal URL (the region is in its name)",
                            "aws", (m.group("region") or m.group("app_region"),))
    if host.endswith(".awsapps.cn"):
        return StartUrlForm("an AWS China start URL", "aws-cn", CHINA_REGIONS)
    if host.endswith(".awsapps.com"):
        return StartUrlForm("an awsapps.com start URL", "aws")
    if host.endswith(".app.aws"):
        return StartUrlForm("an app.aws portal URL", "aws")
    return None


def path_problem(url: str) -> str | None:
    """Why ``url``'s path does not fit its form (GovCloud/China: /directory/ID), or None."""
    found = form(url)
    if found is None or not found.path_hint:
        return None
    if _DIRECTORY_PATH.fullmatch(urlsplit(url.strip()).path or ""):
        return None
    return f"{found.label} has the form {found.path_hint}"


def region_problem(url: str, region: str) -> str | None:
    """Why ``region`` cannot be the region of the instance behind ``url``, or None."""
    found = form(url)
    if found is None:
        return None
    if found.regions:
        if region in found.regions:
            return None
        return f"{found.label} signs in only in {_either(found.regions)}"
    if partition(region) != found.partition:
        where = _PARTITION_NAMES.get(partition(region), f"the {partition(region)} partition")
        return f"{found.label} is in {_PARTITION_NAMES[found.partition]}, {region} in {where}"
    return None


def region_fix(url: str, how: str = "pass --sso-region") -> str:
    """What to give instead, for a message's fix part."""
    found = form(url)
    if found is not None and found.regions:
        return f"{how} {_either(found.regions)}"
    return f"{how} REGION, your IAM Identity Center instance's region ({FIND_REGION})"


def pinned_region(url: str) -> str | None:
    """The region when the URL's form allows exactly one (a prompt's default)."""
    found = form(url)
    return found.regions[0] if found is not None and len(found.regions) == 1 else None


# How a person finds the right region (shown where a wrong one is suspected).
FIND_REGION = ("the AWS access portal shows it under \"Access keys\" of any account as "
               "\"SSO Region\", and the IAM Identity Center console under Settings")


def wrong_region_hint(start_url: str, region: str, session_name: str | None) -> str:
    """The line a failed or timed-out sign-in adds: a wrong sso_region gives exactly this."""
    if session_name:
        where = f"[sso-session {session_name}]"
        fix = (f"`awsenv configure --session {session_name} --start-url {start_url} "
               f"--sso-region REGION`")
    else:
        where = "the profile"
        fix = "sso_region = REGION in the profile in the AWS config"
    return (f"a wrong sso_region gives exactly this (the browser ends in \"Invalid grant "
            f"provided\" and the sign-in never completes): {where} uses {region}, which must "
            f"be the region of your IAM Identity Center instance, not the one you work in; "
            f"{FIND_REGION}; then set it with {fix}")


def _either(regions: tuple[str, ...]) -> str:
    return regions[0] if len(regions) == 1 else " or ".join(regions)
