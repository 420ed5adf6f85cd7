"""botocore's data loader for the sessions awsenv makes: one per process, told our services.

Why: a fresh botocore session reads its service models, ``endpoints.json`` and the
rest from disk and parses them again, and before it loads any model it lists every
service directory botocore ships (about 900 ``listdir`` calls, ~25 ms) only to check
that the one asked for exists. A credential miss pays that once; ``serve`` and anything
else that outlives a change of HOME or of the AWS config pays it for every new session.
So the sessions of ``awsenv.auth.clients`` share one loader per ``data_path`` (the data
it caches is botocore's own files and ``~/.aws/models``, the same for every session of
the process), and that loader answers "which services exist" by looking only at the
services awsenv makes clients for.

Imported only where botocore already is (the miss path), never on a hot path.
"""

from __future__ import annotations

import threading

from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, create_loader

# Every service a client of awsenv.auth.clients talks to.
SERVICES = ("sso", "sso-oidc", "sts")

_LOADERS: dict[str | None, Loader] = {}
_LOCK = threading.Lock()


class ServicesLoader(Loader):
    """A botocore Loader that knows of awsenv's services only.

    botocore calls ``list_available_services`` to refuse an unknown service before
    it loads a model; answering from SERVICES keeps that refusal (for any other
    service, and for one of ours whose model is missing) without walking the
    whole data directory. Models still come from every search path, so a model
    in ``~/.aws/models`` or on AWS_DATA_PATH overrides botocore's as before.
    """

    def list_available_services(self, type_name: str) -> list[str]:
        found = []
        for service in SERVICES:
            try:
                if self.list_api_versions(service, type_name):
                    found.append(service)
            except DataNotFoundError:
                continue
        return found


def shared(data_path: str | None) -> Loader:
    """The process's loader for ``data_path`` (a session's ``data_path`` setting)."""
    with _LOCK:
        loader = _LOADERS.get(data_path)
        if loader is None:
            # botocore's own reading of the setting (os.pathsep list, ~ and $VARS expanded).
            paths = create_loader(data_path).search_paths
            loader = ServicesLoader(extra_search_paths=list(paths),
                                    include_default_search_paths=False)
            _LOADERS[data_path] = loader
        return loader
