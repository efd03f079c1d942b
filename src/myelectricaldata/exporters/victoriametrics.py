"""VictoriaMetrics exporter: the history pushed with its own timestamps, never a sample twice.

What is sent (names from ``_metric_names``; labels ``pdl``, ``direction``, ``slot`` and ``color`` in lower case,
plus the user's extra labels): the load curves (``linky_load_curve_watts`` at each interval's start), and at the
local midnight of each day the daily energy (``linky_daily_energy_kwh``), the energy and cost per tariff slot
(``linky_daily_slot_energy_kwh``, ``linky_daily_slot_cost_euros``), the day's cost with its subscription share
(``linky_daily_cost_euros``), the maximum power (``linky_max_power_va``: the day, not the minute it was reached,
so a corrected maximum replaces the day's sample instead of adding one), the Tempo colour (``linky_tempo_color``:
1 for the day's colour, 0 for the two others) and the EcoWatt level (``linky_ecowatt_level``). Samples go to
``/api/v1/import`` as JSON lines, gzipped, in milliseconds.

Never twice. VictoriaMetrics keeps both samples when one is imported twice (``-dedup.minScrapeInterval`` would keep
one, the biggest, and is the server's setting, not ours), so before pushing, the exporter reads what it already
holds. Series are grouped in families (``_vm_series``: one metric and PDL, or the two cost metrics of a PDL). For
each family of the batch it reads ``/api/v1/export`` over the batch's window, then:

- a timestamp VictoriaMetrics lacks is pushed; one it holds once with the same value is left alone;
- a value that differs, a timestamp held twice, or (costs, energy per slot, Tempo, where the batch carries every
  series of its days) a series held on a day of the batch that the batch does not have, such as a slot of the
  previous offer: the family is rewritten. VictoriaMetrics can only delete whole series, so the exporter reads the
  family's whole history, deletes it (``/api/v1/admin/tsdb/delete_series`` with the family's selector: metric
  names, PDL, extra labels) and pushes it back once, the batch replacing what it covers. A price change is that
  case: the manager hands every day's costs again, they differ from what is stored, the PDL's cost series are
  deleted and pushed again; the energy series are equal and untouched. Selectors leave out series with a
  ``job`` or ``instance`` label (scraped, for instance from the Prometheus exporter); other series they match that
  carry more labels than ours (written by someone else) are pushed back as they were.

So a retry after a failed push sends only what did not arrive, and a re-sync handing overlapping days again sends
nothing for them. The samples of an unfinished export stay in the instance (the failure is a
``PartialExportError``, so the manager keeps it): a family deleted but not yet pushed back is restored by the next
export, whose reading skips what had arrived. Without a flush, VictoriaMetrics makes a fresh sample readable
about a second after its import, a sample of a new series about ten seconds after: reading or deleting within
``SETTLE_S`` of an import of this process first asks it to flush (``/internal/force_flush``), or waits out the
rest of ``SETTLE_S`` when that endpoint is refused (``-forceFlushAuthKey``, a proxy).

Samples more than two days ahead are refused by VictoriaMetrics (EcoWatt's third day): they wait in the instance
for a later export. The push interval defers exports that follow the last push too closely: a deferred result keeps the
manager's marks where they were, so the same changes come again with the next batch (they also wait in the
instance, and are pushed when the exporter is disconnected if the server answered last time). A family deleted
but not pushed back when the app crashes is restored by the tab's "Réinitialiser et réimporter".
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from ._metric_names import parse_labels
from ._vm_series import (
    PUSHED,
    Family,
    Held,
    Samples,
    by_family,
    compare,
    count,
    import_lines,
    merge,
    parse_export,
    rewritten,
    samples_of,
    selector,
    window,
)
from .base import BaseExporter, ExportResult, PartialExportError
from .batches import ExportBatch
from .schema import ConfigField

log = logging.getLogger(__name__)

PER_LINE = 10_000  # samples per JSON line (VictoriaMetrics recommends 1,000 to 10,000)
PER_REQUEST = 100_000  # samples per import request
FUTURE_LIMIT_S = 2 * 86400 - 600  # VictoriaMetrics drops samples more than two days ahead of its clock
SETTLE_S = 12.0  # without a flush, a sample is readable about a second after its import, a new series ten seconds
DISCONNECT_TIMEOUT_S = 5.0
_last_import: dict[str, float] = {}  # base URL -> monotonic time of this process's last import there
_last_import_lock = threading.Lock()


def _check_url(value: str) -> None:
    if not value.strip().lower().startswith(("http://", "https://")):
        raise ValueError("adresse attendue en http:// ou https://, par exemple http://192.168.1.10:8428")


class VictoriaMetricsError(PartialExportError):
    """VictoriaMetrics unreachable, refusing us or answering an error; the message says which, in French."""


@dataclass
class Report:
    """What one export did."""

    pushed: int = 0
    present: int = 0
    rewritten: int = 0
    future: int = 0

    def message(self) -> str:
        parts = [_n(self.pushed, "valeur envoyée", "valeurs envoyées"),
                 _n(self.present, "déjà présente", "déjà présentes")]
        if self.rewritten:
            parts.append(_n(self.rewritten, "groupe de séries remplacé", "groupes de séries remplacés")
                         + " (valeurs modifiées)")
        if self.future:
            parts.append(_n(self.future, "valeur à plus de 2 jours gardée", "valeurs à plus de 2 jours gardées")
                         + " pour plus tard")
        return ", ".join(parts)


def _header_text(value: str | None) -> None:
    """Credentials travel in an HTTP header: Latin-1 characters only (no €, no emoji)."""
    try:
        (value or "").encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("caractère non accepté dans un en-tête HTTP (évitez €, œ et les emojis)") from None


class VictoriaMetricsExporter(BaseExporter):
    name = "victoriametrics"
    title = "VictoriaMetrics"
    description = ("Historique horodaté (courbe de charge, énergie et coûts par jour et par créneau, puissance max, "
                   "Tempo, EcoWatt) importé dans VictoriaMetrics, sans jamais de doublon")
    version = "1.0.0"
    config_schema = (
        ConfigField("url", "URL de VictoriaMetrics", required=True, default="http://localhost:8428",
                    help="Par exemple http://192.168.1.10:8428 (ou l'adresse d'un vmauth placé devant)",
                    check=_check_url),
        ConfigField("extra_labels", "Étiquettes ajoutées",
                    help="clé=valeur séparées par des virgules, ajoutées à chaque série ; par exemple site=maison",
                    check=parse_labels),
        ConfigField("auth", "Authentification", type="choice", choices=("aucune", "basic", "bearer"),
                    default="aucune",
                    help="basic : -httpAuth.username/-httpAuth.password de VictoriaMetrics ; bearer : jeton d'un "
                         "vmauth"),
        ConfigField("username", "Utilisateur (basic)", check=_header_text),
        ConfigField("password", "Mot de passe (basic)", type="password", check=_header_text),
        ConfigField("token", "Jeton (bearer)", type="password", check=_header_text),
        ConfigField("push_interval", "Intervalle minimal entre deux envois (minutes)", type="int", default=0,
                    minimum=0, maximum=1440, help="0 : à chaque export ; sinon les données attendent le suivant"),
        ConfigField("tls_insecure", "Ne pas vérifier le certificat TLS", type="bool", default=False,
                    help="Pour un certificat auto-signé en https"),
        ConfigField("timeout", "Délai d'attente (secondes)", type="float", default=30.0, minimum=1, maximum=600),
    )

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self.base = str(self.config.get("url") or "").strip().rstrip("/")
        parts = urlsplit(self.base)
        self.where = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
        self.timeout = float(self.config.get("timeout") or 30.0)
        self.verify = not self.config.get("tls_insecure")  # per request: REQUESTS_CA_BUNDLE beats Session.verify
        self.session: requests.Session | None = None
        self.pending: Samples = {}
        self.last_push_at: datetime | None = None
        self.reachable = False  # the last request got an answer we accept

    # -- settings -------------------------------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        """The extra labels of the settings; a ValueError naming the field when they are malformed."""
        try:
            return parse_labels(self.config.get("extra_labels"))
        except ValueError as exc:
            raise ValueError(f"extra_labels : {exc}") from None

    def _session(self) -> requests.Session:
        if self.session is not None:
            return self.session
        _check_url(self.base)
        session = requests.Session()
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

    # -- connection -----------------------------------------------------------------------------------------------
    def connect(self) -> None:
        """Check the settings and prepare the HTTP session; VictoriaMetrics is reached on the first export."""
        self.labels()
        self._session()

    def disconnect(self) -> None:
        """Push what is still waiting (deferred or unfinished) if the server answered last time; close the session."""
        if self.pending and self.session is not None and self.reachable:
            waiting = count(self.pending)
            self.timeout = min(self.timeout, DISCONNECT_TIMEOUT_S)
            try:
                self._send(self.pending)
            except Exception as exc:
                log.warning("VictoriaMetrics: %d samples waiting could not be pushed on disconnect: %s", waiting, exc)
        elif self.pending:
            log.warning("VictoriaMetrics: %d samples waiting dropped (server unreachable)", count(self.pending))
        self.pending = {}
        if self.session is not None:
            self.session.close()
            self.session = None

    def test_connection(self) -> tuple[bool, str]:
        try:
            extra = self.labels()
            self._session()
            health = self._request("GET", "/health", ok=(200,))
            if health.text.strip() != "OK":
                return False, f"{self.where} répond, mais pas comme VictoriaMetrics (/health : {health.text[:80]!r})"
            probe = Family(("linky_connection_test",), None, False).selector(extra)
            self._request("GET", "/api/v1/export", params={"match[]": probe})
            self._request("POST", "/api/v1/import", data=b"")
            self._request("POST", "/api/v1/admin/tsdb/delete_series", data={"match[]": probe})
            note = self._retention_note()
        except (ValueError, VictoriaMetricsError) as exc:
            return False, str(exc)
        finally:
            self.disconnect()
        return True, f"Connecté à VictoriaMetrics à {self.where} : lecture, écriture et suppression autorisées{note}"

    def _retention_note(self) -> str:
        """The retention ``/metrics`` reports, with a warning when it is short; nothing behind a vmauth."""
        try:
            text = self._request("GET", "/metrics", ok=(200,)).text
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

    # -- export ---------------------------------------------------------------------------------------------------
    def export(self, batch: ExportBatch) -> ExportResult:
        fresh = samples_of(batch, self.labels())
        wanted = merge(self.pending, fresh)
        if not count(wanted):
            return ExportResult(0, "rien de nouveau à envoyer")
        now = batch.snapshot.now
        interval = timedelta(minutes=int(self.config.get("push_interval") or 0))
        if interval and self.last_push_at is not None and now - self.last_push_at < interval:
            self.pending = wanted
            ago, every = int((now - self.last_push_at).total_seconds() // 60), int(interval.total_seconds() // 60)
            waiting = _n(count(wanted), "valeur", "valeurs")
            return ExportResult(0, f"envoi reporté : dernier envoi il y a {ago} min, intervalle minimal de {every} min "
                                   f"({waiting} en attente)", deferred=True)
        self.pending = wanted
        report = self._send(wanted)
        if report.pushed:
            self.last_push_at = now
        return ExportResult(report.pushed, report.message())

    def _send(self, wanted: Samples) -> Report:
        """Push what VictoriaMetrics lacks and rewrite changed families; ``self.pending`` keeps what is not stored."""
        extra = self.labels()
        cutoff = int((time.time() + FUTURE_LIMIT_S) * 1000)
        later = {s: {t: v for t, v in points.items() if t > cutoff} for s, points in wanted.items()}
        later = {s: points for s, points in later.items() if points}
        now_due = {s: {t: v for t, v in points.items() if t <= cutoff} for s, points in wanted.items()}
        report = Report(future=count(later))
        self._settle()
        to_push: Samples = {}
        changed: list[tuple[Family, Samples]] = []
        for family, desired in by_family(now_due).items():
            first, last = window(desired)
            comparison = compare(family, desired, self._read(family.selector(extra), first, last), extra)
            report.present += comparison.present
            if comparison.changed:
                changed.append((family, desired))
            else:
                to_push.update(comparison.missing)
        for family, desired in changed:
            chosen = family.selector(extra)
            whole = rewritten(family, desired, self._read(chosen, None, None), extra)
            self.pending = merge(self.pending, whole)  # restores the family if the push below fails
            self._request("POST", "/api/v1/admin/tsdb/delete_series", data={"match[]": chosen})
            log.info("VictoriaMetrics: %s rewritten (%d samples)", chosen, count(whole))
            to_push.update(whole)
            report.rewritten += 1
        report.pushed = self._import(to_push)
        self.pending = later
        return report

    # -- HTTP -----------------------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, ok: tuple[int, ...] = (200, 204), **kwargs: Any) -> requests.Response:
        """One call to VictoriaMetrics; every failure becomes a VictoriaMetricsError in French."""
        session = self._session()
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
        body = self._scrub(response.text.strip())[:200] if response.status_code >= 300 else ""
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

    def _scrub(self, text: str) -> str:
        """A server's answer with our secrets masked (vmauth quotes the token it refuses)."""
        for secret in (self.config.get("password"), self.config.get("token")):
            if secret:
                text = text.replace(str(secret), "********")
        return text

    def _settle(self) -> None:
        """Make this process's latest import readable: flush, or wait when the flush endpoint is refused."""
        with _last_import_lock:
            since = time.monotonic() - _last_import.get(self.base, float("-inf"))
        if since >= SETTLE_S:
            return
        try:
            self._request("POST", "/internal/force_flush")
        except VictoriaMetricsError as exc:
            log.debug("VictoriaMetrics: force_flush refused (%s), waiting instead", exc)
            time.sleep(SETTLE_S - since)

    def _read(self, selector: str, first_ms: int | None, last_ms: int | None) -> Held:
        """The samples of the series matching ``selector`` between two timestamps (ms, included), or all."""
        params = {"match[]": selector}
        if first_ms is not None:
            params["start"] = str(first_ms // 1000)
        if last_ms is None:
            last_ms = int((time.time() + 3 * 86400) * 1000)
        params["end"] = str(-(-last_ms // 1000))
        response = self._request("GET", "/api/v1/export", params=params)
        return parse_export(response.content.splitlines())

    def _import(self, samples: Samples) -> int:
        """POST the samples to ``/api/v1/import`` in gzipped requests; the number sent."""
        sent, lines, size = 0, [], 0
        for n, line in import_lines(samples, PER_LINE):
            lines.append(line)
            size += n
            if size >= PER_REQUEST:
                sent += self._post_lines(lines, size)
                lines, size = [], 0
        if lines:
            sent += self._post_lines(lines, size)
        return sent

    def _post_lines(self, lines: list[bytes], size: int) -> int:
        with _last_import_lock:
            _last_import[self.base] = time.monotonic()
        body = gzip.compress(b"".join(lines), compresslevel=1)
        self._request("POST", "/api/v1/import", data=body, headers={"Content-Encoding": "gzip"})
        with _last_import_lock:
            _last_import[self.base] = time.monotonic()
        return size

    # -- reset ----------------------------------------------------------------------------------------------------
    def reset(self) -> str:
        """Delete every series of our metric names carrying our extra labels; the manager then sends all again."""
        chosen = selector(PUSHED, self.labels())
        try:
            self._settle()  # a series not yet readable would escape the deletion
            self._request("POST", "/api/v1/admin/tsdb/delete_series", data={"match[]": chosen})
        finally:
            self.pending = {}
            self.disconnect()
        return f"séries effacées dans VictoriaMetrics ({chosen}) ; tout l'historique va être renvoyé"


def _n(number: int, singular: str, plural: str) -> str:
    """A count and its words, French style (0 and 1 take the singular)."""
    return f"{number} {singular if number < 2 else plural}"


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


__all__ = ["VictoriaMetricsError", "VictoriaMetricsExporter"]
