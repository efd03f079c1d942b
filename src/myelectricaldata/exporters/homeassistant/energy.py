"""One export's Energy-dashboard statistics into HA: a plan per PDL (shape, hand-over from the legacy client, first
hour), what is no longer sent cleared, rows summed on from what HA holds, chunked imports, and the wait until HA's
recorder has written them, with the progress told as it goes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ...energy.timeline import PARIS
from ..batches import ExportBatch
from .legacy import CONTINUE, Legacy, find_legacy, fits, legacy_naming, plan_words
from .recorder import Recorder, wait_while_moving
from .statistics import (
    SLOTS,
    SOURCE,
    TOTAL,
    Plan,
    Role,
    Series,
    chunks,
    iso_hour,
    label_of,
    ours,
    rows_from,
    series_of,
    stored_rows,
)

OURS = re.compile(rf"^{SOURCE}:(\d{{14}})_(consumption|injection)(_[a-z0-9_]+)?$")
Report = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EnergyOptions:
    """What the user chose on the exporter's tab for the Energy dashboard."""

    shape: str = TOTAL
    start: int | None = None  # UTC hour our statistics start at (None: all the history)
    handover: str = ""  # CONTINUE, AFTER or "" (none chosen)


@dataclass
class EnergyOutcome:
    rows: int = 0
    cleared: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # what the user must settle, in French, PDL by PDL


def hour_words(start_utc: int) -> str:
    return datetime.fromtimestamp(start_utc, PARIS).strftime("%d/%m/%Y %H:%M")


class EnergyImport:
    """The statistics of one batch; ``memory`` holds the hand-over hours learnt from HA (``junction:<pdl>``) and the
    PDLs whose legacy statistics we continued (``continued:<pdl>``)."""

    def __init__(self, recorder: Recorder, options: EnergyOptions, version: tuple[int, int, int], currency: str,
                 memory: dict[str, str], report: Report) -> None:
        self.recorder, self.options, self.version, self.currency = recorder, options, version, currency
        self.memory, self.report = memory, report
        self.continued: dict[str, int] = {}  # PDL -> junction, for the legacy statistics we continue

    def run(self, batch: ExportBatch) -> EnergyOutcome:
        outcome = EnergyOutcome()
        self.report("Lecture des statistiques de Home Assistant", 0, 0)
        listed = self.recorder.listed()
        plans, extra = self._plans(batch, find_legacy(listed.values()), outcome)
        series = series_of(batch, self.currency, self.options.shape, plans) + extra
        stale = self._stale(batch, plans, series, listed)
        if stale:
            self.report(f"Effacement de {len(stale)} statistiques qui ne sont plus envoyées", 0, 0)
            self.recorder.clear(stale)
            outcome.cleared = sorted(stale)
        known = set(listed) - stale
        sent = self._send(series, known)
        outcome.rows = sum(count for _, _, count in sent)
        self._read_back(sent, outcome.rows)
        for key in [k for k in self.memory if k.startswith("continued:")]:
            pdl = key.split(":", 1)[1]
            if self.options.handover != CONTINUE and plans.get(pdl) is not None:
                del self.memory[key]  # its rows after the junction are now flat: nothing left to undo
        return outcome

    # -- plans --------------------------------------------------------------------------------------------------
    def _plans(self, batch: ExportBatch, legacy: dict[str, Legacy],
               outcome: EnergyOutcome) -> tuple[dict[str, Plan | None], list[Series]]:
        """Each PDL's plan (None: left out until the user chooses a hand-over), and the series that flatten what we
        wrote after the junction into legacy statistics we no longer continue."""
        states = {up.usage_point_id: up for up in batch.snapshot.usage_points if up.enabled}
        found = {pdl: legacy[pdl] for pdl in states if pdl in legacy}
        unknown = [item for pdl, item in found.items() if f"junction:{pdl}" not in self.memory]
        lasts = self.recorder.last_hours(sid for item in unknown for sid in item.energy_ids)
        plans: dict[str, Plan | None] = {}
        extra: list[Series] = []
        slots_of: dict[str, set[str]] = {}
        for row in batch.hourly_costs:
            slots_of.setdefault(row.usage_point_id, set()).update(row.cost.energy)
        for pdl, item in found.items():
            remembered = self.memory.get(f"junction:{pdl}")
            item.last_hour = int(remembered) - 3600 if remembered else max(
                (lasts[s] for s in item.energy_ids if s in lasts), default=None)
            if item.junction is None:
                continue  # legacy statistics without a row: nothing to hand over
            label = label_of(states[pdl], pdl)
            if not self.options.handover:
                plans[pdl] = None
                outcome.waiting.append(self._waiting(item, label))
                continue
            self.memory[f"junction:{pdl}"] = str(item.junction)
            start = max(item.junction, self.options.start or item.junction)
            if self.options.handover == CONTINUE:
                if not fits(item, slots_of.get(pdl, ())):
                    plans[pdl] = None
                    outcome.waiting.append(f"{label} ({pdl}) : la reprise des statistiques de l'ancien module demande "
                                           f"le même découpage ({item.plan}) ; choisissez l'autre reprise")
                    continue
                shape = TOTAL if item.plan in ("BASE", "") else SLOTS
                plans[pdl] = Plan(shape, legacy_naming(item, self.currency), start)
                self.memory[f"continued:{pdl}"] = "1"
                self.continued[pdl] = start
            else:
                plans[pdl] = Plan(self.options.shape, ours(pdl, label, self.currency), start)
                ours_before = f"continued:{pdl}" in self.memory  # what follows the junction there is ours
                if remembered and not ours_before and self.recorder.grew_after(item.energy_ids, item.junction):
                    outcome.waiting.append(f"{label} ({pdl}) : l'ancien module MyElectricalData écrit encore ses "
                                           f"statistiques après le {hour_words(item.junction)} : arrêtez son export "
                                           "vers Home Assistant, sinon ces heures sont comptées deux fois")
                if ours_before:
                    extra += [Series(s.statistic_id, s.name, s.unit, s.unit == "kWh", pdl=pdl, start=item.junction,
                                     rewrite=True) for s in item.statistics.values()]
        for pdl in states:
            if pdl not in plans and self.options.start is not None:
                plans[pdl] = Plan(self.options.shape, ours(pdl, label_of(states[pdl], pdl), self.currency),
                                  self.options.start)
        return plans, extra

    @staticmethod
    def _waiting(item: Legacy, label: str) -> str:
        last = f", dernière heure le {hour_words(item.last_hour)}" if item.last_hour is not None else ""
        return (f"{label} ({item.pdl}) : statistiques de l'ancien module MyElectricalData trouvées dans Home Assistant "
                f"({plan_words(item)}{last}) ; arrêtez son export vers Home Assistant et choisissez une reprise "
                "(« Reprise de l'ancien module ») : rien n'est importé pour ce compteur d'ici là")

    # -- clean-up -----------------------------------------------------------------------------------------------
    def _stale(self, batch: ExportBatch, plans: dict[str, Plan | None], series: list[Series],
               listed: dict[str, dict]) -> set[str]:
        """Ours in HA that the plans no longer send (known only when every priced day of the PDL is in the batch),
        and ours holding hours before their PDL's first hour."""
        priced = {row.usage_point_id for row in batch.hourly_costs}
        states = {up.usage_point_id: up for up in batch.snapshot.usage_points}
        ours_of: dict[str, set[str]] = {}
        for sid in listed:
            if (match := OURS.match(sid)) is not None:
                ours_of.setdefault(match[1], set()).add(sid)
        stale: set[str] = set()
        early: dict[int, set[str]] = {}
        for pdl, held in ours_of.items():
            plan = plans.get(pdl, Plan(self.options.shape, ours(pdl, pdl, self.currency)))
            if plan is None or pdl not in batch.repriced or pdl not in priced:
                continue
            state = states.get(pdl)
            wanted = {s.statistic_id for s in series if s.pdl == pdl}
            if plan.shape == TOTAL and (state is None or state.has_consumption):
                wanted.add(plan.naming(Role("consumption")).statistic_id)
            if state is not None and state.has_production:
                wanted.add(plan.naming(Role("injection")).statistic_id)
            stale |= held - wanted
            if plan.start is not None:
                early.setdefault(plan.start, set()).update(held & wanted)
        for start, ids in early.items():
            stale |= self.recorder.held_before(ids, start)
        return stale

    # -- import -------------------------------------------------------------------------------------------------
    def _send(self, series: list[Series], known: set[str]) -> list[tuple[str, dict, int]]:
        """Import every series' rows in chunks; (statistic, last row, rows) of each chunk sent."""
        planned = []
        for index, s in enumerate(series):
            first = s.first
            if first is None:
                continue
            self.report(f"Calcul des lignes à envoyer ({s.statistic_id})", index, len(series))
            stored, base = ({}, 0.0) if s.statistic_id not in known else \
                (self.recorder.rows(s.statistic_id, first), self.recorder.sum_before(s.statistic_id, first))
            rows = rows_from(s, base, stored)
            if s.pdl in self.continued and first == self.continued[s.pdl] and s.statistic_id in known:
                rows[:0] = self._closing(s.statistic_id, first)
            if rows:
                planned.append((s, rows))
        total = sum(len(rows) for _, rows in planned)
        sent: list[tuple[str, dict, int]] = []
        done = 0
        for s, rows in planned:
            for chunk in chunks(rows):
                self.recorder.ws.call("recorder/import_statistics", metadata=s.metadata(self.version), stats=chunk)
                sent.append((s.statistic_id, chunk[-1], len(chunk)))
                done += len(chunk)
                self.report(f"Envoi à Home Assistant : {done} lignes sur {total} ({s.statistic_id})", done, total)
        return sent

    def _closing(self, sid: str, junction: int) -> list[dict]:
        """A row of 0 at the legacy statistic's last hour when it has none there (its slot had no energy): HA
        measures the junction's day from the row of the hour before it."""
        before = junction - 3600
        if stored_rows(self.recorder.during([sid], before, junction, ("sum",)), sid):
            return []
        return [{"start": iso_hour(before), "state": 0.0, "sum": self.recorder.sum_before(sid, before)}]

    def _read_back(self, sent: list[tuple[str, dict, int]], total: int) -> None:
        """Wait until HA has written the last row of each chunk (its queue runs them in order)."""
        confirmed = [0]

        def count() -> int:
            while confirmed[0] < len(sent):
                sid, row, _ = sent[confirmed[0]]
                if not self.recorder.written(sid, row):
                    break
                confirmed[0] += 1
            return sum(n for _, _, n in sent[:confirmed[0]])

        def told(done: int) -> None:
            where = f" ({sent[confirmed[0]][0]})" if confirmed[0] < len(sent) else ""
            self.report(f"Écriture par Home Assistant : {done} lignes relues sur {total}{where}", done, total)

        wait_while_moving(count, total, self.recorder.stall, "lignes de statistiques relues", told)


def start_hour(text: str | None) -> int | None:
    """The UTC start of a Paris hour written ``AAAA-MM-JJ`` or ``AAAA-MM-JJ HH:00``; ValueError in French."""
    text = (text or "").strip()
    if not text:
        return None
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, form)
        except ValueError:
            continue
        if moment.minute:
            raise ValueError(f"« {text} » : une heure pleine est attendue (minutes à 00), par exemple "
                             "2024-01-01 06:00.")
        return int(moment.replace(tzinfo=PARIS).timestamp())
    raise ValueError(f"« {text} » : date attendue au format AAAA-MM-JJ ou AAAA-MM-JJ HH:00 (heure de Paris), par "
                     "exemple 2024-01-01.")
