"""The web pages' test material: the tables and links of a page, and the simulation pages' app on a synced month."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.simulator import start_simulator
from myelectricaldata.web.app import create_app
from tests.support.syncing import TODAY, make_sync

HCHP = "99000000000002"
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)


class Tables(HTMLParser):
    """Rows of cell texts of every table of a page, and every link, form action and source."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.urls: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[k] for k in ("href", "action", "src") if attrs.get(k)]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def synced_hphc_month(engine: sa.Engine, folder: Path) -> sa.Engine:
    """``engine`` holding one month and five days of the simulator's HP/HC PDL (9 kVA), synced with a frozen today."""
    with start_simulator(today=TODAY) as sim:
        assert make_sync(engine, sim, folder).run(pdls=[HCHP], since=date(2025, 10, 1)).ok
    return engine


def simulation_app(engine: sa.Engine, folder: Path):
    """The app on ``engine`` with its clock frozen at ``NOW``."""
    settings = load_settings(environ={"DATA_DIR": str(folder)}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, clock=lambda: NOW))


def csrf_token(html: str, prefix: str = "") -> str:
    """The form token of a page (of the form whose fields carry ``prefix``, such as "pricing-")."""
    return re.search(rf'name="{re.escape(prefix)}csrf_token" type="hidden" value="([^"]+)"', html).group(1)
