"""Request/response values and the error shapes each AWS protocol puts on the wire.

Handlers are plain functions from ``Request`` to ``Response`` and raise a
``WireError`` subclass for failures; the server renders it. Keeping the error
formats here, in one place, is what makes botocore raise its modeled classes
(``x-amzn-ErrorType`` header first, see the protocol reference §1.4 and §2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    raw_path: str = ""
    request_id: str = ""

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> dict[str, object]:
        """The JSON body; rest-json ops with no members may send nothing."""
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OidcError("InvalidRequestException", "invalid_request",
                            "Request body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise OidcError("InvalidRequestException", "invalid_request",
                            "Request body must be a JSON object")
        return data

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, data: object, status: int = 200) -> Response:
        return cls(status, json.dumps(data).encode())

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode(), "text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", None, [("Location", location)])


class WireError(Exception):
    def response(self, request_id: str) -> Response:
        raise NotImplementedError


class OidcError(WireError):
    """OAuth-style error: ``error``/``error_description`` body plus the shape header."""

    def __init__(self, shape: str, error: str, description: str, status: int = 400,
                 reason: str | None = None) -> None:
        super().__init__(description)
        self.shape, self.error, self.description = shape, error, description
        self.status, self.reason = status, reason

    def response(self, request_id: str) -> Response:
        body: dict[str, str] = {"error": self.error, "error_description": self.description}
        if self.reason:
            body["reason"] = self.reason
        header = f"{self.shape}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
        return Response(self.status, json.dumps(body).encode(), "application/json",
                        [("x-amzn-ErrorType", header)])


class PortalError(WireError):
    """Portal error: ``{"message", "__type"}`` body plus the shape header."""

    def __init__(self, shape: str, status: int, message: str) -> None:
        super().__init__(message)
        self.shape, self.status, self.message = shape, status, message

    def response(self, request_id: str) -> Response:
        body = {"message": self.message,
                "__type": f"com.amazonaws.switchboard.portal#{self.shape}"}
        return Response(self.status, json.dumps(body).encode(), "application/json",
                        [("x-amzn-ErrorType", self.shape)])


class StsError(WireError):
    """AWS query-protocol XML error (``ErrorResponse``)."""

    def __init__(self, code: str, message: str, status: int = 403,
                 kind: str = "Sender") -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.kind = code, message, status, kind

    def response(self, request_id: str) -> Response:
        xml = (f'<ErrorResponse xmlns="{STS_NS}">\n'
               f"  <Error>\n    <Type>{self.kind}</Type>\n"
               f"    <Code>{escape(self.code)}</Code>\n"
               f"    <Message>{escape(self.message)}</Message>\n  </Error>\n"
               f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n")
        return Response(self.status, xml.encode(), "text/xml")


class PlainError(WireError):
    """Plain-text error, as the console federation endpoint answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

    def response(self, request_id: str) -> Response:
        return Response(self.status, self.message.encode(), "text/plain; charset=utf-8")


def required(data: dict[str, object], *names: str) -> list[str]:
    """Required string members, or InvalidRequestException naming the first missing one."""
    out = []
    for name in names:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise OidcError("InvalidRequestException", "invalid_request",
                            f"Missing or invalid parameter: {name}")
        out.append(value)
    return out
