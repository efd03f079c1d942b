"""What can go wrong when talking to the gateway, and how each answer is classified."""

from __future__ import annotations

import re
from datetime import date

_OLDEST = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.?\s*$")


class GatewayError(Exception):
    """A gateway answer we cannot use. ``code`` is the gateway's (or ours), ``request`` says what was asked."""

    retryable = False

    def __init__(self, message: str, code: str = "", request: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request = request

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.code else self.message
        return f"{text} [{self.request}]" if self.request else text


class TransientError(GatewayError):
    """5xx, time-out, ENEDIS_UNAVAILABLE: worth retrying after a pause."""

    retryable = True


class GatewayUnreachable(TransientError):
    """No whole HTTP answer: connection refused, DNS failure, time-out, or an answer still not complete
    when the request's deadline passed (code DEADLINE)."""


class MalformedReply(TransientError):
    """The body is not the JSON the gateway always sends."""


class UnexpectedPayload(GatewayError):
    """Valid JSON whose content does not have the expected shape or values."""


class ReplyTooLarge(GatewayError):
    """An answer larger than the client reads: refused and not retried (the same question would get
    the same answer, downloaded again); nothing of it is stored, so the next sync asks again."""


class AuthError(GatewayError):
    """The gateway refused our credentials: the user must fix CLIENT_ID / CLIENT_SECRET."""


class QuotaExceeded(GatewayError):
    """The account's daily request quota is used up until 00:00 UTC."""


class ConsentError(GatewayError):
    """The PDL is not (or no longer) reachable with this account: the user must renew consent."""


class TooOld(GatewayError):
    """The range starts before the oldest date the gateway serves; ``oldest`` is that date when told."""

    def __init__(self, message: str, code: str = "", request: str = "", oldest: date | None = None) -> None:
        super().__init__(message, code, request)
        self.oldest = oldest


class NoData(GatewayError):
    """The gateway has no data for the range (yet)."""


class RequestRejected(GatewayError):
    """The gateway says our request is malformed: a bug on our side, never retried."""


_CONSENT = ("ACCESS_DENIED", "ADAM-DC-0008", "ADAM-DC-0007", "STM-ERR-0000019")
_TOO_OLD = ("DATE_TOO_OLD", "ADAM-ERR0123", "ADAM-DC-0016", "ADAM-ERR0125", "ADAM-DC-0009")
_NO_DATA = ("NO_DATA", "no_data_found", "STM-ERR-0000014", "STM-ERR-0000020")
_REJECTED = ("INVALID_DATE_RANGE", "INVALID_DATE_FORMAT", "INVALID_DATE", "ADAM-DC-0015",
             "ADAM-ERR0069", "invalid_request", "Invalid_request")
_TRANSIENT = ("ENEDIS_UNAVAILABLE", "INTERNAL_ERROR", "SERVER_ERROR", "ADAM-DC-0500",
              "STM-ERR-0000001", "Quota Q3", "Quota Q4")


# ENEDIS_ERROR also carries the gateway's own HTTP client failures as plain text
_UPSTREAM_HICCUPS = ("timed out", "timeout", "server error", "service unavailable", "bad gateway",
                     "connection reset", "connecterror")


def classify(code: str, message: str, request: str = "") -> GatewayError:
    """Map an envelope's ``error.code`` and ``error.message`` to the exception the sync acts on.

    ``ENEDIS_ERROR`` wraps the upstream Enedis code at the start of the message
    (``"no_data_found: no measure found..."``), so that prefix is classified too.
    """
    message = message or ""
    inner = message.split(":", 1)[0].strip() if code == "ENEDIS_ERROR" else ""
    keys = {code, inner}

    def hit(table: tuple[str, ...]) -> bool:
        return any(k and (k in table or any(k.startswith(t) for t in table)) for k in keys)

    if code == "RATE_LIMIT_EXCEEDED":
        return QuotaExceeded(message, code, request)
    if hit(_CONSENT):
        return ConsentError(message, code, request)
    if hit(_TOO_OLD):
        found = _OLDEST.search(message)
        oldest = date.fromisoformat(found.group(1)) if found else None
        return TooOld(message, code, request, oldest=oldest)
    if hit(_NO_DATA):
        return NoData(message, code, request)
    if hit(_REJECTED):
        return RequestRejected(message, code, request)
    if hit(_TRANSIENT) or (code == "ENEDIS_ERROR" and any(t in message.lower() for t in _UPSTREAM_HICCUPS)):
        return TransientError(message, code, request)
    return GatewayError(message, code, request)
