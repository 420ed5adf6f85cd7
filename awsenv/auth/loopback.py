"""Loopback HTTP listeners that serve only this user, and the one-shot URL hand-off.

Any local user reads every process's argv (``/proc/PID/cmdline``, ``ps``), and a
browser is started with the URL on its command line (``webbrowser`` runs
``xdg-open URL`` / ``$BROWSER URL``; the browser itself gets it as an argument).
So a URL that is a bearer secret (a console sign-in link) or that carries the
sign-in's ``state`` and code challenge (the PKCE authorize URL) never goes to the
browser directly: the browser is sent to ``http://127.0.0.1:PORT/h/<random>``
and the listener answers that path once, with a redirect to the real URL.

The random path is in argv too, so on its own it would only move the race.
What closes it: the listener answers only connections whose client socket
belongs to this user. On Linux the kernel lists every TCP socket with its
owner's uid in ``/proc/net/tcp`` and ``/proc/net/tcp6`` (readable by everyone,
unforgeable), so another user's request, with the right path or not, gets a
bare 403 and consumes nothing. Where that table does not exist (macOS, the
BSDs, Windows) the owner cannot be checked: the path is still single-use, and
the remaining exposure is documented in SECURITY.md (macOS's default opener
hands the URL over through osascript's stdin, not argv).
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import SplitResult, urlsplit

from awsenv import signalwait

log = logging.getLogger(__name__)

HANDOFF_PREFIX = "/h/"
PROC_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>awsenv</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>{title}</h1><p>{body}</p></body></html>"""

Address = tuple[str, int]


def _decode(field: str) -> Address | None:
    """``0100007F:1F90`` (or the 32-digit IPv6 form) → ("127.0.0.1", 8080).

    The kernel prints the address as native-endian 32-bit words, the port as a number.
    """
    try:
        raw_ip, raw_port = field.split(":")
        words = [raw_ip[i:i + 8] for i in range(0, len(raw_ip), 8)]
        packed = b"".join(int(w, 16).to_bytes(4, sys.byteorder) for w in words)
        ip = ipaddress.ip_address(packed)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return str(ip), int(raw_port, 16)
    except (ValueError, TypeError):
        return None


def socket_owner(local: Address, remote: Address,
                 tables: tuple[str, ...] = PROC_TABLES) -> int | None:
    """The uid owning the TCP socket ``local`` → ``remote``; None if it cannot be told.

    Raises ``LookupError`` when the tables exist but list no such socket (the
    client already went away): not ours, as far as anyone can prove.
    """
    readable = False
    for table in tables:
        try:
            with open(table, encoding="ascii", errors="replace") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        readable = True
        for line in lines:
            fields = line.split()
            if len(fields) < 8:
                continue
            if _decode(fields[1]) == local and _decode(fields[2]) == remote:
                try:
                    return int(fields[7])
                except ValueError:
                    return None
    if not readable:
        return None
    raise LookupError(f"no socket {local} -> {remote}")


def peer_is_this_user(client: Address, server: Address) -> bool:
    """True when the connection's client socket belongs to this user (or cannot be
    checked on this OS); False when it belongs to someone else or has vanished."""
    try:
        owner = socket_owner((client[0], int(client[1])), (server[0], int(server[1])))
    except LookupError:
        return False
    if owner is None:
        log.debug("loopback: this OS does not say who owns a socket; path secrecy only")
        return True
    return owner == os.geteuid()


class LoopbackServer:
    """A threaded HTTP listener on 127.0.0.1 that only answers this user's connections.

    ``on_request(request, parts) -> bool`` serves paths other than hand-offs
    (True: answered). Bound in ``__init__`` so a browser that is faster than us
    never meets "connection refused" (aws-sso-cli #1441).
    """

    def __init__(self, on_request: Callable[[BaseHTTPRequestHandler, SplitResult], bool]
                 | None = None) -> None:
        self._on_request = on_request
        self._handoffs: dict[str, str] = {}
        self._lock = threading.Lock()
        self.fetched = threading.Event()  # a hand-off was served
        self.refused = 0  # requests from other users (for --debug)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            # Browsers open speculative connections that never send a request:
            # each gets its own thread and is dropped after a few seconds.
            timeout = 10

            def do_GET(self) -> None:
                owner._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return  # paths and queries hold secrets

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handoff(self, url: str) -> str:
        """A local URL that redirects this user's browser to ``url``, once."""
        path = HANDOFF_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._handoffs[path] = url
        return self.base_url + path

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        signalwait.start_shielded(self._thread)  # Ctrl-C goes to the waiting main thread

    def close(self) -> None:
        with self._lock:
            self._handoffs.clear()
        if self._thread is not None:
            self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        server = self._httpd.server_address
        if not peer_is_this_user(request.client_address[:2], (str(server[0]), int(server[1]))):
            with self._lock:
                self.refused += 1
            with contextlib.suppress(OSError):
                reply(request, 403, "Forbidden", "")
            return
        parts = urlsplit(request.path)
        with self._lock:
            target = self._handoffs.pop(parts.path, None)
        if target is not None:
            with contextlib.suppress(OSError):
                reply(request, 303, "Redirecting", "", location=target)
            self.fetched.set()
            return
        if self._on_request is not None and self._on_request(request, parts):
            return
        with contextlib.suppress(OSError):
            reply(request, 404, "Not found", "Nothing to see here.")


def reply(request: BaseHTTPRequestHandler, status: int, title: str, body: str, *,
          location: str | None = None) -> None:
    """A small no-store HTML answer (``body`` is HTML the caller wrote, never input)."""
    page = _PAGE.format(title=html.escape(title), body=body).encode("utf-8")
    request.send_response(status)
    if location is not None:
        request.send_header("Location", location)
    request.send_header("Content-Type", "text/html; charset=utf-8")
    request.send_header("Content-Length", str(len(page)))
    request.send_header("Cache-Control", "no-store")
    request.send_header("Referrer-Policy", "no-referrer")
    request.send_header("Connection", "close")
    request.end_headers()
    request.wfile.write(page)
