"""VictoriaMetrics exporter: the history pushed with its own timestamps, never a sample twice.

What is sent (names from ``metric_names``; labels ``pdl``, ``direction``, ``slot`` and ``color`` in lower case,
plus the user's extra labels): the load curves (``linky_load_curve_watts`` at each interval's start), and at the
local midnight of each day the daily energy (``linky_daily_energy_kwh``), the energy and cost per tariff slot
(``linky_daily_slot_energy_kwh``, ``linky_daily_slot_cost_euros``), the day's cost with its subscription share
(``linky_daily_cost_euros``), the maximum power (``linky_max_power_va``: the day, not the minute it was reached,
so a corrected maximum replaces the day's sample instead of adding one), the Tempo colour (``linky_tempo_color``:
1 for the day's colour, 0 for the two others) and the EcoWatt level (``linky_ecowatt_level``). Samples go to
``/api/v1/import`` as JSON lines, gzipped, in milliseconds.

Never twice. VictoriaMetrics keeps both samples when one is imported twice (``-dedup.minScrapeInterval`` would keep
one, the biggest, and is the server's setting, not ours), so before pushing, the exporter reads what it already
holds. Series are grouped in families (``series``: one metric and PDL, or the two cost metrics of a PDL). For
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
about a second after its import: reading or deleting within ``SETTLE_S`` of an import of this process first asks
it to flush (``/internal/force_flush``), or waits out the rest of ``SETTLE_S`` when that endpoint is refused
(``-forceFlushAuthKey``, a proxy). VictoriaMetrics also remembers which series a selector matched and forgets it
only about ten seconds after new series are flushed, so a read right after an import would miss the series it
created and push them twice: every read and deletion carries a filter no earlier request had (``uncached``).

Samples more than two days ahead are refused by VictoriaMetrics (EcoWatt's third day): they wait in the instance
for a later export. The push interval defers exports that follow the last push too closely: a deferred result keeps the
manager's marks where they were, so the same changes come again with the next batch (they also wait in the
instance, and are pushed when the exporter is disconnected if the server answered last time). A family deleted
but not pushed back when the app crashes is restored by the tab's "Réinitialiser et réimporter".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..base import BaseExporter, ExportResult
from ..batches import ExportBatch
from ..metric_names import parse_labels
from ..schema import ConfigField
from .client import VictoriaMetricsClient, VictoriaMetricsError, check_url, header_text
from .series import (
    PUSHED,
    Family,
    Samples,
    by_family,
    compare,
    count,
    merge,
    rewritten,
    samples_of,
    selector,
    window,
)

log = logging.getLogger(__name__)

FUTURE_LIMIT_S = 2 * 86400 - 600  # VictoriaMetrics drops samples more than two days ahead of its clock
DISCONNECT_TIMEOUT_S = 5.0


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


class VictoriaMetricsExporter(BaseExporter):
    name = "victoriametrics"
    title = "VictoriaMetrics"
    description = ("Historique horodaté (courbe de charge, énergie et coûts par jour et par créneau, puissance max, "
                   "Tempo, EcoWatt) importé dans VictoriaMetrics, sans jamais de doublon")
    version = "1.0.0"
    config_schema = (
        ConfigField("url", "URL de VictoriaMetrics", required=True, default="http://localhost:8428",
                    help="Par exemple http://192.168.1.10:8428 (ou l'adresse d'un vmauth placé devant)",
                    check=check_url),
        ConfigField("extra_labels", "Étiquettes ajoutées",
                    help="clé=valeur séparées par des virgules, ajoutées à chaque série ; par exemple site=maison",
                    check=parse_labels),
        ConfigField("auth", "Authentification", type="choice", choices=("aucune", "basic", "bearer"),
                    default="aucune",
                    help="basic : -httpAuth.username/-httpAuth.password de VictoriaMetrics ; bearer : jeton d'un "
                         "vmauth"),
        ConfigField("username", "Utilisateur (basic)", check=header_text),
        ConfigField("password", "Mot de passe (basic)", type="password", check=header_text),
        ConfigField("token", "Jeton (bearer)", type="password", check=header_text),
        ConfigField("push_interval", "Intervalle minimal entre deux envois (minutes)", type="int", default=0,
                    minimum=0, maximum=1440, help="0 : à chaque export ; sinon les données attendent le suivant"),
        ConfigField("tls_insecure", "Ne pas vérifier le certificat TLS", type="bool", default=False,
                    help="Pour un certificat auto-signé en https"),
        ConfigField("timeout", "Délai d'attente (secondes)", type="float", default=30.0, minimum=1, maximum=600),
    )
    connection_fields = ("url", "auth", "username", "password", "token")
    advanced_fields = ("push_interval", "tls_insecure", "timeout")

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self.client = VictoriaMetricsClient(self.config)
        self.pending: Samples = {}
        self.last_push_at: datetime | None = None

    @property
    def where(self) -> str:
        return self.client.where

    # -- settings -------------------------------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        """The extra labels of the settings; a ValueError naming the field when they are malformed."""
        try:
            return parse_labels(self.config.get("extra_labels"))
        except ValueError as exc:
            raise ValueError(f"extra_labels : {exc}") from None

    # -- connection -----------------------------------------------------------------------------------------------
    def connect(self) -> None:
        """Check the settings and prepare the HTTP session; VictoriaMetrics is reached on the first export."""
        self.labels()
        self.client.open()

    def disconnect(self) -> None:
        """Push what is still waiting (deferred or unfinished) if the server answered last time; close the session."""
        if self.pending and self.client.session is not None and self.client.reachable:
            waiting = count(self.pending)
            self.client.timeout = min(self.client.timeout, DISCONNECT_TIMEOUT_S)
            try:
                self._send(self.pending)
            except Exception as exc:
                log.warning("VictoriaMetrics: %d samples waiting could not be pushed on disconnect: %s", waiting, exc)
        elif self.pending:
            log.warning("VictoriaMetrics: %d samples waiting dropped (server unreachable)", count(self.pending))
        self.pending = {}
        self.client.close()

    def test_connection(self) -> tuple[bool, str]:
        try:
            extra = self.labels()
            self.client.open()
            health = self.client.request("GET", "/health", ok=(200,))
            if health.text.strip() != "OK":
                return False, f"{self.where} répond, mais pas comme VictoriaMetrics (/health : {health.text[:80]!r})"
            probe = Family(("linky_connection_test",), None, False).selector(extra)
            self.client.read(probe, None, None)
            self.client.request("POST", "/api/v1/import", data=b"")
            self.client.delete(probe)
            note = self.client.retention_note()
        except (ValueError, VictoriaMetricsError) as exc:
            return False, str(exc)
        finally:
            self.disconnect()
        return True, f"Connecté à VictoriaMetrics à {self.where} : lecture, écriture et suppression autorisées{note}"

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
        self.client.settle()
        to_push: Samples = {}
        changed: list[tuple[Family, Samples]] = []
        for family, desired in by_family(now_due).items():
            first, last = window(desired)
            comparison = compare(family, desired, self.client.read(family.selector(extra), first, last), extra)
            report.present += comparison.present
            if comparison.changed:
                changed.append((family, desired))
            else:
                to_push.update(comparison.missing)
        for family, desired in changed:
            chosen = family.selector(extra)
            whole = rewritten(family, desired, self.client.read(chosen, None, None), extra)
            self.pending = merge(self.pending, whole)  # restores the family if the push below fails
            self.client.delete(chosen)
            log.info("VictoriaMetrics: %s rewritten (%d samples)", chosen, count(whole))
            to_push.update(whole)
            report.rewritten += 1
        report.pushed = self.client.import_samples(to_push)
        self.pending = later
        return report

    # -- HTTP -----------------------------------------------------------------------------------------------------
    # -- reset ----------------------------------------------------------------------------------------------------
    def reset(self) -> str:
        """Delete every series of our metric names carrying our extra labels; the manager then sends all again."""
        chosen = selector(PUSHED, self.labels())
        try:
            self.client.settle()  # a series not yet readable would escape the deletion
            self.client.delete(chosen)
        finally:
            self.pending = {}
            self.disconnect()
        return f"séries effacées dans VictoriaMetrics ({chosen}) ; tout l'historique va être renvoyé"


def _n(number: int, singular: str, plural: str) -> str:
    """A count and its words, French style (0 and 1 take the singular)."""
    return f"{number} {singular if number < 2 else plural}"


__all__ = ["VictoriaMetricsError", "VictoriaMetricsExporter"]
