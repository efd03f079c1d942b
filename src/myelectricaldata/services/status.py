"""What is stored and how the syncs went, per PDL and dataset (read by the CLI and the UI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from ..database import repository as repo
from .datasets import datasets_for
from .runs import last_runs, quota_paused_until


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into inclusive ranges."""
    out: list[tuple[date, date]] = []
    for d in days:
        if out and (d - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def collect_status(engine: Engine, now: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        points = repo.usage_point_rows(conn)
        usage = repo.get_state(conn, "usage_stats", {}) or {}
        ecowatt_paused = repo.get_state(conn, "ecowatt_paused_until") or ""
        pdls = []
        for up in points:
            datasets = []
            for ds in datasets_for(up["has_consumption"], up["has_production"]):
                summary = repo.ledger_summary(conn, up["usage_point_id"], ds.name)
                state = repo.dataset_state(conn, up["usage_point_id"], ds.name)
                datasets.append({
                    "dataset": ds.name,
                    "first": summary["first"], "last": summary["last"],
                    "days": summary["counts"],
                    "not_complete": _ranges(summary["not_complete"]),
                    "last_sync_at": state.get("last_sync_at"),
                    "outcome": state.get("last_outcome", ""),
                    "error": state.get("last_error", ""),
                    "progress": (state.get("progress_done", 0), state.get("progress_total", 0)),
                    "oldest_available": state.get("oldest_available"),
                })
            contract = repo.contract_in_force(conn, up["usage_point_id"], now.date())
            pdls.append({**up, "datasets": datasets, "contract": contract})
    return {
        "usage_points": pdls,
        "runs": last_runs(engine, 5),
        "quota": {
            "paused_until": quota_paused_until(engine, now),
            "cached_used": usage.get("cached_requests"), "cached_limit": usage.get("cached_limit"),
            "no_cache_used": usage.get("no_cache_requests"), "no_cache_limit": usage.get("no_cache_limit"),
            "date": usage.get("date"),
            "ecowatt_paused_until": ecowatt_paused if ecowatt_paused and datetime.fromisoformat(ecowatt_paused) > now
            else "",
        },
    }


def _fmt_ranges(ranges: list[tuple[date, date]], limit: int = 4) -> str:
    parts = [f"{a}" if a == b else f"{a}..{b}" for a, b in ranges[:limit]]
    if len(ranges) > limit:
        parts.append(f"+{len(ranges) - limit} more")
    return ", ".join(parts)


def format_status(status: dict[str, Any]) -> str:
    """Plain-text report for the terminal."""
    lines = []
    if not status["usage_points"]:
        lines.append("No PDL stored yet: run `myelectricaldata sync`.")
    for up in status["usage_points"]:
        c = up["contract"] or {}
        head = f"PDL {up['usage_point_id']}  {up['name']}"
        facts = [up["pricing_option"] or "?", f"{c.get('subscribed_kva') or '?'} kVA"]
        if c.get("offpeak_hours"):
            facts.append(f"HC {c['offpeak_hours']}")
        lines.append(f"{head}  ({', '.join(facts)})")
        if up["attention"]:
            lines.append(f"  ! {up['attention']}")
        for ds in up["datasets"]:
            span = f"{ds['first']} .. {ds['last']}" if ds["first"] else "nothing stored"
            complete = ds["days"].get("complete", 0)
            lines.append(f"  {ds['dataset']:<24} {span:<26} {complete:>5} days complete")
            if ds["not_complete"]:
                counts = {k: v for k, v in ds["days"].items() if k != "complete"}
                detail = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()))
                lines.append(f"  {'':<24} missing or incomplete: {detail}: {_fmt_ranges(ds['not_complete'])}")
            if ds["last_sync_at"]:
                outcome = ds["outcome"] + (f": {ds['error']}" if ds["error"] else "")
                lines.append(f"  {'':<24} last sync {ds['last_sync_at']:%Y-%m-%d %H:%M} UTC, {outcome}")
    q = status["quota"]
    if q["cached_limit"] is not None:
        lines.append(
            f"Gateway requests on {q['date']}: {q['cached_used']}/{q['cached_limit']} with cache "
            f"({q['cached_limit'] - q['cached_used']} left), "
            f"{q['no_cache_used']}/{q['no_cache_limit']} without ({q['no_cache_limit'] - q['no_cache_used']} left)")
    if q["paused_until"]:
        lines.append(f"Quota reached: syncs paused until {q['paused_until']:%Y-%m-%d %H:%M} UTC")
    if q["ecowatt_paused_until"]:
        until = datetime.fromisoformat(q["ecowatt_paused_until"])
        lines.append(f"No-cache quota reached: EcoWatt paused until {until:%Y-%m-%d %H:%M} UTC")
    for run in status["runs"][:1]:
        when = f"{run['started_at']:%Y-%m-%d %H:%M} UTC"
        lines.append(f"Last sync {when}: {run['outcome']}, {run['requests']} requests"
                     + (f" ({run['message']})" if run["message"] else ""))
    return "\n".join(lines)
