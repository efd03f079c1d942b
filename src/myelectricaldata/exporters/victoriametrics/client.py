"""VictoriaMetrics over HTTP for its exporter: one session with the user's auth and TLS choice, every failure as a
VictoriaMetricsError in French (never a secret), reads through ``/api/v1/export``, gzipped imports, deletions, and
the flush that makes this process's last import readable.
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
import time
import uuid
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from ..base import PartialExportError
from ..stopping import http_session
from .series import Held, Samples, import_lines, parse_export

log = logging.getLogger(__name__)

PER_LINE = 10_000  # samples per JSON line (VictoriaMetrics recommends 1,000 to 10,000)
PER_REQUEST = 100_000  # samples per import request
NONCE_LABEL = "myelectricaldata_nonce"  # a label no series has: a filter on it changes a selector, not what it matches
SETTLE_S = 12.0  # without a flush, a sample is readable about a second after its import; 12 s outlast any delay
_last_import: dict[str, float] = {}  # base URL -> monotonic time of this process's last import there
_last_import_lock = threading.Lock()


class VictoriaMetricsError(PartialExportError):
    """VictoriaMetrics unreachable, refusing us or answering an error; the message says which, in French."""


def check_url(value: str) -> None:
    if not value.strip().lower().startswith(("http://", "https://")):
        raise ValueError("adresse attendue en http:// ou https://, par exemple http://192.168.1.10:8428")


def header_text(value: str | None) -> None:
    """Credentials travel in an HTTP header: Latin-1 characters only (no €, no emoji)."""
    try:
        (value or "").encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("caractère non accepté dans un en-tête HTTP (évitez €, œ et les emojis)") from None


class VictoriaMetricsClient:
    """The server of the settings (``url``, ``auth``, ``username``, ``password``, ``token``, ``tls_insecure``,
    ``timeout``); ``reachable`` says whether the last request got an answer we accept."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.base = str(config.get("url") or "").strip().rstrip("/")
        parts = urlsplit(self.base)
        self.where = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
        self.timeout = float(config.get("timeout") or 30.0)
        self.verify = not config.get("tls_insecure")  # per request: REQUESTS_CA_BUNDLE beats Session.verify
        self.session: requests.Session | None = None
        self.reachable = False

    def open(self) -> requests.Session:
        if self.session is not None:
            return self.session
        check_url(self.base)
        session = http_session()  # its calls end at the application's stop
        auth = self.config.get("auth") or "aucune"
        if auth == "basic":
            if not self.config.get("username"):
                raise ValueError("username : obligatoire pour l'authentification basic")
            session.auth = (str(self.config["username"]), str(self.config.get("password") or ""))
        elif auth == "bearer":
            if not self.config.get("token"):
                raise ValueError("token : obligatoire pour l'authentification bearer")
            session.headers["Authorization"] = f"Bearer {self.config['token']}"
        self.session = session
        return session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def retention_note(self) -> str:
        """The retention ``/metrics`` reports, with a warning when it is short; nothing behind a vmauth."""
        try:
            text = self.request("GET", "/metrics", ok=(200,)).text
        except VictoriaMetricsError:
            return ""
        found = re.search(r'^flag\{name="retentionPeriod", value="([^"]*)"', text, re.MULTILINE)
        if not found:
            return ""
        retention = found.group(1)
        days = _days(retention)
        shown = f"{retention} mois" if retention.isdigit() else retention
        if days is not None and days < 3 * 365:
            return (f" ; attention : rétention de {shown} (-retentionPeriod), VictoriaMetrics ignore en silence "
                    "l'historique plus ancien (mettez par exemple -retentionPeriod=100y)")
        return f" ; rétention : {shown}"

    def request(self, method: str, path: str, ok: tuple[int, ...] = (200, 204), **kwargs: Any) -> requests.Response:
        """One call to VictoriaMetrics; every failure becomes a VictoriaMetricsError in French."""
        session = self.open()
        self.reachable = False
        try:
            with warnings.catch_warnings():
                if not self.verify:  # the user chose not to check the certificate: no warning per request
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                response = session.request(method, f"{self.base}{path}", timeout=self.timeout, verify=self.verify,
                                           **kwargs)
        except requests.exceptions.SSLError as exc:
            raise VictoriaMetricsError(
                f"Certificat TLS de {self.where} refusé ({_reason(exc)}) ; pour un certificat auto-signé, cochez "
                "« Ne pas vérifier le certificat TLS »") from None
        except requests.exceptions.Timeout:
            raise VictoriaMetricsError(
                f"VictoriaMetrics à {self.where} n'a pas répondu en {self.timeout:g} s ({path})") from None
        except requests.exceptions.ConnectionError as exc:
            raise VictoriaMetricsError(
                f"Serveur VictoriaMetrics injoignable à {self.where} ({_reason(exc)})") from None
        except requests.RequestException as exc:
            raise VictoriaMetricsError(f"Requête vers {self.where} impossible : {_reason(exc)}") from None
        body = self.scrub(response.text.strip())[:200] if response.status_code >= 300 else ""
        if response.status_code == 401 or (response.status_code == 400 and "auth token" in body):  # 400: vmauth
            raise VictoriaMetricsError(
                f"VictoriaMetrics à {self.where} refuse l'authentification ({response.status_code}) : vérifiez "
                "l'utilisateur et le mot de passe, ou le jeton")
        if response.status_code == 403:
            raise VictoriaMetricsError(
                f"VictoriaMetrics à {self.where} refuse l'accès à {path} (403) : ces identifiants n'y ont pas droit")
        if response.status_code not in ok:
            raise VictoriaMetricsError(f"VictoriaMetrics à {self.where} a répondu {response.status_code} à {path} : "
                                       f"{body}")
        self.reachable = True
        return response

    def scrub(self, text: str) -> str:
        """A server's answer with our secrets masked (vmauth quotes the token it refuses)."""
        for secret in (self.config.get("password"), self.config.get("token")):
            if secret:
                text = text.replace(str(secret), "********")
        return text

    def settle(self) -> None:
        """Make this process's latest import readable: flush, or wait when the flush endpoint is refused."""
        with _last_import_lock:
            since = time.monotonic() - _last_import.get(self.base, float("-inf"))
        if since >= SETTLE_S:
            return
        try:
            self.request("POST", "/internal/force_flush")
        except VictoriaMetricsError as exc:
            log.debug("VictoriaMetrics: force_flush refused (%s), waiting instead", exc)
            time.sleep(SETTLE_S - since)

    def read(self, selector: str, first_ms: int | None, last_ms: int | None) -> Held:
        """The samples of the series matching ``selector`` between two timestamps (ms, included), or all."""
        params = {"match[]": uncached(selector)}
        if first_ms is not None:
            params["start"] = str(first_ms // 1000)
        if last_ms is None:
            last_ms = int((time.time() + 3 * 86400) * 1000)
        params["end"] = str(-(-last_ms // 1000))
        response = self.request("GET", "/api/v1/export", params=params)
        return parse_export(response.content.splitlines())

    def delete(self, selector: str) -> None:
        """Delete every series matching ``selector`` (``/api/v1/admin/tsdb/delete_series``)."""
        self.request("POST", "/api/v1/admin/tsdb/delete_series", data={"match[]": uncached(selector)})

    def import_samples(self, samples: Samples) -> int:
        """POST the samples to ``/api/v1/import`` in gzipped requests; the number sent."""
        sent, lines, size = 0, [], 0
        for n, line in import_lines(samples, PER_LINE):
            lines.append(line)
            size += n
            if size >= PER_REQUEST:
                sent += self.post_lines(lines, size)
                lines, size = [], 0
        if lines:
            sent += self.post_lines(lines, size)
        return sent

    def post_lines(self, lines: list[bytes], size: int) -> int:
        with _last_import_lock:
            _last_import[self.base] = time.monotonic()
        body = gzip.compress(b"".join(lines), compresslevel=1)
        self.request("POST", "/api/v1/import", data=body, headers={"Content-Encoding": "gzip"})
        with _last_import_lock:
            _last_import[self.base] = time.monotonic()
        return size


def uncached(selector: str) -> str:
    """``selector`` with a filter every series passes and no earlier request had. VictoriaMetrics caches which
    series a selector matches and forgets that only about ten seconds after new series are flushed; a selector it
    has never seen is looked up afresh, so a read or a deletion right after an import misses none of its series."""
    return f'{selector[:-1]},{NONCE_LABEL}!="{uuid.uuid4().hex}"}}'


def _days(retention: str) -> float | None:
    """Days of a ``-retentionPeriod`` value (bare months, or a number with h, d, w or y); None when unreadable."""
    units = {"h": 1 / 24, "d": 1, "w": 7, "y": 365}
    try:
        if retention[-1:] in units:
            return float(retention[:-1]) * units[retention[-1]]
        return float(retention) * 30
    except ValueError:
        return None


REASONS = (("Connection refused", "connexion refusée"), ("Name or service not known", "nom inconnu"),
           ("No route to host", "hôte inaccessible"), ("timed out", "délai dépassé"),
           ("certificate verify failed", "vérification du certificat échouée"),
           ("Connection reset", "connexion coupée"), ("Remote end closed", "connexion fermée par le serveur"))


def _reason(exc: Exception) -> str:
    """The cause of a requests error in a few French words (never the URL, which may hold credentials)."""
    text = str(exc.args[0] if exc.args else exc)
    return next((words for marker, words in REASONS if marker in text), type(exc).__name__)
