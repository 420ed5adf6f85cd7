"""A boto3 tool as a long job would run it, for tests/serve (started with this venv's python).

    python _client.py identity          one GetCallerIdentity, the default chain
    python _client.py concurrent N      N threads, each its own session, started together
    python _client.py rounds K          per "go" line on stdin: K calls on one client

Each prints JSON lines: {"account", "arn", "method", "key"} per call (``method``
is the botocore provider that found the credentials: container-role, iam-role...),
or {"error": ...} and exit 1.
"""

from __future__ import annotations

import json
import sys
import threading

import boto3


def call(session: boto3.session.Session, client: object | None = None) -> dict[str, str]:
    sts = client or session.client("sts")
    identity = sts.get_caller_identity()  # type: ignore[attr-defined]
    creds = session.get_credentials()
    return {"account": identity["Account"], "arn": identity["Arn"], "method": creds.method,
            "key": creds.get_frozen_credentials().access_key}


def main() -> int:
    mode = sys.argv[1]
    try:
        if mode == "identity":
            print(json.dumps(call(boto3.session.Session())))
        elif mode == "concurrent":
            count = int(sys.argv[2])
            barrier = threading.Barrier(count)
            # Separate sessions (one each, as separate tools); a client resolves its
            # credentials when it is created, so the threads create theirs together.
            sessions = [boto3.session.Session() for _ in range(count)]
            results: list[object] = [None] * count

            def work(i: int) -> None:
                barrier.wait()
                try:
                    results[i] = call(sessions[i])
                except Exception as exc:
                    results[i] = {"error": f"{type(exc).__name__}: {exc}"}

            threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print(json.dumps(results))
        elif mode == "rounds":
            per_round = int(sys.argv[2])
            session = boto3.session.Session()
            client = session.client("sts")
            for line in sys.stdin:
                if line.strip() != "go":
                    break
                print(json.dumps([call(session, client) for _ in range(per_round)]), flush=True)
        else:
            raise SystemExit(f"unknown mode {mode}")
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
