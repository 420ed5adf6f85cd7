"""A loopback HTTPS proxy that plays AWS's real host names in front of the emulator.

The Debian AWS CLI v2 (2.9.x) ignores ``AWS_ENDPOINT_URL_*`` and its SSO
provider has no ``--endpoint-url`` at all, so a native ``sso_session`` profile
would reach ``portal.sso.<region>.amazonaws.com``. Instead of touching
``/etc/hosts``, the CLI gets ``HTTPS_PROXY`` (botocore honours it): it sends
``CONNECT host:443`` here, this proxy answers with a certificate for exactly
those names, signed by a CA made for this test run (the CLI trusts it through
``AWS_CA_BUNDLE``), and relays the decrypted bytes to the emulator's plain
HTTP port. Nothing leaves the machine: a CONNECT to a name not in the
certificate is refused.
"""

from __future__ import annotations

import datetime
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def host_names(sso_region: str, regions: Iterable[str]) -> list[str]:
    """The AWS host names the clients reach for these regions (sso-protocol §1, §2)."""
    names = {f"oidc.{sso_region}.amazonaws.com", f"portal.sso.{sso_region}.amazonaws.com",
             "sts.amazonaws.com"}
    for region in {sso_region, *regions}:
        names.add(f"sts.{region}.amazonaws.com")
    return sorted(names)


def make_ca(directory: Path, names: list[str]) -> tuple[Path, Path, Path]:
    """A throwaway CA and one leaf certificate for ``names``: (ca.pem, leaf.pem, leaf.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "awsenv interop test CA")])
    ca = (x509.CertificateBuilder()
          .subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem, leaf_pem, key_pem = (directory / n for n in ("ca.pem", "leaf.pem", "leaf.key"))
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    key_pem.chmod(0o600)
    return ca_pem, leaf_pem, key_pem


class _Handler(socketserver.StreamRequestHandler):
    server: TlsProxy

    def handle(self) -> None:
        request = self.rfile.readline(8192).decode("latin-1").split()
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # the CONNECT request's headers
        if len(request) != 3 or request[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = request[1].rpartition(":")
        if host not in self.server.names or port != "443":
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        try:
            tls = self.server.context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with tls, socket.create_connection(self.server.upstream, timeout=30) as upstream:
            self.server.connects.append(host)
            _relay(tls, upstream)


def _relay(a: ssl.SSLSocket, b: socket.socket) -> None:
    """Bytes both ways until either side closes."""
    sockets = [a, b]
    while True:
        # An SSL socket may hold decrypted bytes select() cannot see.
        ready = [a] if a.pending() else select.select(sockets, [], [], 30)[0]
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(65536)
            except (ssl.SSLError, OSError):
                return
            if not data:
                return
            (b if sock is a else a).sendall(data)


class TlsProxy(socketserver.ThreadingTCPServer):
    """``with TlsProxy(upstream, names, directory) as proxy``: ``proxy.url``, ``proxy.ca``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: tuple[str, int], names: list[str], directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.names = set(names)
        self.ca, leaf, key = make_ca(directory, names)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(leaf, key)
        self.connects: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def env(self) -> dict[str, str]:
        """What a botocore-based client needs to go through this proxy and trust it."""
        return {"HTTPS_PROXY": self.url, "https_proxy": self.url, "AWS_CA_BUNDLE": str(self.ca),
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
