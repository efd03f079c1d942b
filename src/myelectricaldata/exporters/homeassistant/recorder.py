"""The recorder commands an Energy import needs, over one websocket: what HA holds, clearing, and waiting for its
queue. HA's recorder runs imports and clears as queued jobs, in order: an answer only means the job was queued, so
every wait polls what HA has written and gives up only once that has stopped moving for ``stall`` seconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .statistics import SOURCE, iso_hour, stored_rows
from .websocket import HomeAssistantError, HomeAssistantSocket

LOOKBACKS = (timedelta(days=7), timedelta(days=400), None)  # None: from the beginning
SINCE_EVER = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
POLL = 0.5  # between reads of what HA has written: each read takes HA some time from its recorder


def wait_while_moving(count: Callable[[], int], total: int, stall: float, what: str,
                      report: Callable[[int], None] | None = None) -> None:
    """Poll ``count`` until it reaches ``total``; HomeAssistantError once it has not grown for ``stall`` seconds."""
    best, since, wait = -1, time.monotonic(), POLL / 8
    while True:
        done = count()
        if done >= total:
            return
        if done > best:
            best, since = done, time.monotonic()
            if report is not None:
                report(done)
        elif time.monotonic() - since > stall:
            raise HomeAssistantError(f"Home Assistant n'a plus avancé depuis {stall:.0f} s ({what} : {done} sur "
                                     f"{total}) ; le prochain export reprend ce qui manque")
        time.sleep(wait)
        wait = min(wait * 2, POLL)  # quick at first (a small import is written at once), then every POLL


class Recorder:
    """HA's recorder seen through one socket."""

    def __init__(self, ws: HomeAssistantSocket, stall: float) -> None:
        self.ws, self.stall = ws, stall

    def listed(self) -> dict[str, dict[str, Any]]:
        """Every statistic with a sum HA holds, by id."""
        return {str(item.get("statistic_id")): item
                for item in self.ws.call("recorder/list_statistic_ids", statistic_type="sum") or []}

    def during(self, ids: Iterable[str], start: int, end: int | None, types: Iterable[str],
               period: str = "hour") -> dict[str, Any]:
        query: dict[str, Any] = {"start_time": iso_hour(start), "statistic_ids": sorted(set(ids)), "period": period,
                                 "types": list(types)}
        if end is not None:
            query["end_time"] = iso_hour(end)
        return self.ws.call("recorder/statistics_during_period", **query) or {}

    def rows(self, sid: str, start: int) -> dict[int, tuple[float, float]]:
        """HA's hours of a statistic from ``start`` on: {UTC start: (state, sum)}."""
        return stored_rows(self.during([sid], start, None, ("state", "sum")), sid)

    def sum_before(self, sid: str, first: int) -> float:
        """HA's last sum strictly before the hour ``first``, looking back further and further; 0 if none."""
        for lookback in LOOKBACKS:
            start = first - int(lookback.total_seconds()) if lookback else SINCE_EVER
            rows = stored_rows(self.during([sid], start, first, ("sum",)), sid)
            if rows:
                return rows[max(rows)][1]
        return 0.0

    def last_hours(self, ids: Iterable[str]) -> dict[str, int]:
        """The UTC start of each statistic's newest hour: its last month first, then that month's hours."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        months = self.during(ids, SINCE_EVER, None, ("sum",), period="month")
        out = {}
        for sid in ids:
            found = stored_rows(months, sid)
            if found:
                hours = stored_rows(self.during([sid], max(found), None, ("sum",)), sid)
                if hours:
                    out[sid] = max(hours)
        return out

    def held_before(self, ids: Iterable[str], hour: int) -> set[str]:
        """The statistics holding a row before ``hour``."""
        ids = sorted(set(ids))
        if not ids:
            return set()
        found = self.during(ids, SINCE_EVER, hour, ("sum",), period="month")
        return {sid for sid in ids if found.get(sid)}

    def grew_after(self, ids: Iterable[str], hour: int) -> bool:
        """Whether any of the statistics' sums grew from ``hour`` on."""
        found = self.during(ids, hour, None, ("change",), period="month")
        return any((row.get("change") or 0) > 1e-9 for rows in found.values() for row in rows)

    def clear(self, ids: Iterable[str]) -> None:
        """``recorder/clear_statistics`` of ours, then wait until HA no longer lists them."""
        ids = sorted(set(ids))
        if not ids:
            return
        if any(not sid.startswith(f"{SOURCE}:") for sid in ids):
            raise ValueError(f"not our statistics: {ids}")
        self.ws.call("recorder/clear_statistics", statistic_ids=ids)
        wait_while_moving(lambda: len(set(ids) - set(self.listed())), len(ids), self.stall, "statistiques effacées")

    def written(self, sid: str, row: dict[str, Any]) -> bool:
        """Whether HA holds ``row`` (its hour and sum) of a statistic."""
        start = int(datetime.fromisoformat(row["start"]).timestamp())
        got = stored_rows(self.during([sid], start, start + 3600, ("sum",)), sid).get(start)
        return got is not None and abs(got[1] - row["sum"]) < 1e-6
