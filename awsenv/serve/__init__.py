"""A local credentials endpoint for long jobs and containers (`awsenv serve`, `exec --server`).

Raw keys in an environment end with the role session; an SDK that fetches its
credentials from an endpoint renews them by itself. This package speaks the two
protocols every SDK already knows:

- the container-credentials protocol (``AWS_CONTAINER_CREDENTIALS_FULL_URI`` +
  ``AWS_CONTAINER_AUTHORIZATION_TOKEN``): a bearer token per run, one path per
  profile (:mod:`awsenv.serve.server`);
- IMDSv2 (``AWS_EC2_METADATA_SERVICE_ENDPOINT``): the token ``PUT`` and the
  security-credentials paths, for tools that only know the instance metadata
  service (:mod:`awsenv.serve.imds`).

Credentials come from one call, ``awsenv.creds.get(env, profile)`` (the role
cache, renewed from the keyring before the credentials end, never a browser), so
any profile kind ``creds.get`` learns (chained roles) is served unchanged.
:mod:`awsenv.serve.endpoint` builds the variables a client needs and
:mod:`awsenv.serve.relay` runs `exec --server`'s command beside the endpoint.
Core: no click, no printing.
"""

from __future__ import annotations

from awsenv.serve.server import CredentialServer, Source, default_source

__all__ = ["CredentialServer", "Source", "default_source"]
