"""The Tempo and EcoWatt pages, on a migrated SQLite database filled through the repository."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.gateway.parse import EcowattDay
from myelectricaldata.web.app import create_app
from myelectricaldata.web.pages.calendars import month_blocks

NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PREFIX = "/api/hassio_ingress/TOKEN"


@pytest.fixture
def client_at(sqlite_engine, tmp_path):
    """A test client whose clock reads the given Paris time."""
    def build(now: datetime = NOON):
        settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
        return create_app(settings, AppServices(sqlite_engine, clock=lambda: now)).test_client()
    return build


def store_tempo(engine, colours: dict[date, str]) -> None:
    with engine.begin() as conn:
        repo.store_tempo(conn, colours.items())


def cells(html: str) -> dict[date, str]:
    """Day -> colour class of every calendar cell."""
    return {date.fromisoformat(d): c for c, d in re.findall(r'class="cal-day (\w+)[^"]*" data-day="([\d-]+)"', html)}


def counts(html: str) -> dict[str, tuple[int, int, int]]:
    """Colour -> (used, remaining, quota) from the season table."""
    cell = r'<td class="num[^"]*"[^>]*>(\d+)</td>'  # whatever the cell's phone classes and labels
    rows = re.findall(r'data-colour="(\w+)">.*?' + cell + r"\s*" + cell + r"\s*" + cell, html, re.S)
    return {c: (int(u), int(r), int(q)) for c, u, r, q in rows}


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def autumn_2025() -> dict[date, str]:
    """Sep 1 -> Nov 5 2025 blue, except Sep 10 unknown, Oct 15 and Nov 4 white, Nov 3 and Nov 5 red;
    Aug 31 (previous season) red."""
    colours = {d: "BLUE" for d in days(date(2025, 9, 1), date(2025, 11, 5)) if d != date(2025, 9, 10)}
    colours.update({date(2025, 10, 15): "WHITE", date(2025, 11, 4): "WHITE", date(2025, 11, 3): "RED",
                    date(2025, 11, 5): "RED", date(2025, 8, 31): "RED"})
    return colours


def test_tempo_counts_days_used_and_remaining_per_colour(client_at, sqlite_engine):
    store_tempo(sqlite_engine, autumn_2025())
    html = client_at().get("/tempo").get_data(as_text=True)
    assert "saison 2025-2026" in html
    # 66 days elapsed (30 + 31 + 5): 2 red, 2 white, 1 unknown, so 61 blue; 365 days: quotas 300/43/22
    assert counts(html) == {"BLUE": (61, 239, 300), "WHITE": (2, 41, 43), "RED": (2, 20, 22)}
    assert "1 jour(s) écoulé(s) sans couleur enregistrée" in html


def test_tempo_one_count_on_the_page_the_api_and_the_exporters(client_at, sqlite_engine):
    """One rule (energy.tempo.COUNT_RULE): the days passed, today, and tomorrow once its colour is published."""
    from myelectricaldata.exporters.changes import snapshot

    store_tempo(sqlite_engine, {**autumn_2025(), date(2025, 11, 6): "WHITE"})  # tomorrow published white
    client = client_at()
    html = client.get("/tempo").get_data(as_text=True)
    # autumn_2025 up to today: 61 blue, 2 white, 2 red; tomorrow adds a white: 3 white used, 43 - 3 = 40 left
    assert counts(html) == {"BLUE": (61, 239, 300), "WHITE": (3, 40, 43), "RED": (2, 20, 22)}
    assert "demain compté dès que sa couleur est publiée" in html
    assert "1 jour(s) écoulé(s) sans couleur enregistrée" in html  # 10 Sep; tomorrow is not "elapsed"
    api = client.get("/api/v1/tempo/season").get_json()
    assert {c: (v["used"], v["remaining"]) for c, v in api["colors"].items()} == {
        "BLUE": (61, 239), "WHITE": (3, 40), "RED": (2, 20)}
    with sqlite_engine.connect() as conn:
        assert snapshot(conn, NOON).tempo_remaining == {"BLUE": 239, "WHITE": 40, "RED": 20}  # MQTT, HA, Prometheus


def test_ecowatt_says_no_alert_once_per_day(client_at, sqlite_engine):
    with sqlite_engine.begin() as conn:
        repo.store_ecowatt(conn, [ecowatt(date(2025, 11, 5), 1, "1" * 24, " Pas d’alerte ")])
    html = client_at().get("/ecowatt").get_data(as_text=True)
    assert html.count("alerte") == 1 and "Pas d’alerte" in html


def test_tempo_calendar_cells_unknown_days_and_tomorrow_not_published(client_at, sqlite_engine):
    store_tempo(sqlite_engine, autumn_2025())
    html = client_at().get("/tempo").get_data(as_text=True)
    grid = cells(html)
    assert list(grid) == days(date(2025, 9, 1), date(2026, 8, 31))
    assert grid[date(2025, 9, 10)] == "UNKNOWN"
    assert grid[date(2025, 10, 15)] == "WHITE" and grid[date(2025, 11, 5)] == "RED"
    assert grid[date(2025, 11, 6)] == "UNKNOWN" and date(2025, 8, 31) not in grid
    assert 'class="cal-day RED today" data-day="2025-11-05"' in html
    assert html.count('class="month"') == 12
    assert re.search(r'Aujourd.hui</dt><dd><span class="tempo RED">Rouge</span>', html)
    assert re.search(r'Demain</dt><dd><span class="tempo UNKNOWN">pas encore publié</span>', html)
    assert "mercredi 5 novembre 2025" in html and "jeudi 6 novembre 2025" in html


def test_tempo_across_the_season_boundary(client_at, sqlite_engine):
    store_tempo(sqlite_engine, {date(2025, 8, 30): "WHITE", date(2025, 8, 31): "RED", date(2025, 9, 1): "BLUE"})
    client = client_at(datetime(2025, 8, 31, 12, 0, tzinfo=PARIS))
    html = client.get("/tempo").get_data(as_text=True)
    assert "saison 2024-2025" in html
    grid = cells(html)
    assert min(grid) == date(2024, 9, 1) and max(grid) == date(2025, 8, 31) and len(grid) == 365
    assert counts(html)["RED"] == (1, 21, 22) and counts(html)["WHITE"] == (1, 42, 43)
    assert re.search(r'Demain</dt><dd><span class="tempo BLUE">Bleu</span>', html)  # 1 Sep, next season
    assert 'href="/tempo?season=2025"' in html and "season=2023" not in html

    following = client.get("/tempo?season=2025").get_data(as_text=True)
    assert cells(following)[date(2025, 9, 1)] == "BLUE"
    assert counts(following)["BLUE"] == (1, 299, 300)  # 1 Sep is tomorrow and its colour is published: counted
    assert 'href="/tempo?season=2024"' in following and "season=2026" not in following


def test_tempo_leap_season_and_month_blocks_starting_on_monday():
    blocks = month_blocks(date(2023, 9, 1), date(2024, 8, 31), {})
    assert [len(b["days"]) for b in blocks] == [30, 31, 30, 31, 31, 29, 31, 30, 31, 30, 31, 31]
    assert blocks[0]["title"] == "septembre 2023" and blocks[0]["blanks"] == 4  # 1 Sep 2023 was a Friday
    assert blocks[5]["title"] == "février 2024" and blocks[5]["blanks"] == 3  # 1 Feb 2024 was a Thursday


def test_tempo_leap_season_page(client_at, sqlite_engine):
    store_tempo(sqlite_engine, {date(2024, 2, 29): "RED"})
    html = client_at().get("/tempo?season=2023").get_data(as_text=True)
    assert len(cells(html)) == 366 and cells(html)[date(2024, 2, 29)] == "RED"
    assert counts(html) == {"BLUE": (0, 301, 301), "WHITE": (0, 43, 43), "RED": (1, 21, 22)}
    assert 'href="/tempo?season=2024"' in html


def test_tempo_before_six_says_yesterdays_colour_still_applies(client_at, sqlite_engine):
    store_tempo(sqlite_engine, autumn_2025())
    html = client_at(datetime(2025, 11, 5, 3, 0, tzinfo=PARIS)).get("/tempo").get_data(as_text=True)
    assert re.search(r"encore la couleur d'hier qui s'applique : <span class=\"tempo WHITE\">", html)
    later = client_at().get("/tempo").get_data(as_text=True)
    assert "couleur d'hier" not in later


@pytest.mark.parametrize("season", ["abc", "1850", "20255", "-1"])
def test_tempo_bad_season_is_a_400_naming_the_parameter(client_at, season):
    response = client_at().get(f"/tempo?season={season}")
    assert response.status_code == 400
    assert "season" in response.get_data(as_text=True)


def test_tempo_links_carry_the_ingress_prefix(client_at, sqlite_engine):
    store_tempo(sqlite_engine, autumn_2025())
    html = client_at().get("/tempo", headers={"X-Ingress-Path": PREFIX}).get_data(as_text=True)
    assert f'href="{PREFIX}/tempo?season=2024"' in html
    assert f'href="{PREFIX}/static/app.css"' in html
    assert f'href="{PREFIX}/ecowatt"' in html


def ecowatt(day: date, level: int, hours: str, message: str = "") -> EcowattDay:
    return EcowattDay(day, level, message, tuple(int(h) for h in hours))


def test_ecowatt_today_and_next_days_hour_by_hour(client_at, sqlite_engine):
    today = date(2025, 11, 5)
    with sqlite_engine.begin() as conn:
        repo.store_ecowatt(conn, [
            ecowatt(today - timedelta(days=1), 3, "3" * 24, "hier"),
            ecowatt(today, 2, "000000111111222222333333"[::-1], "Consommation élevée en soirée"),
            ecowatt(today + timedelta(days=1), 1, "0" * 6 + "1" * 18),
        ])
    html = client_at().get("/ecowatt").get_data(as_text=True)
    sections = re.findall(r'<section class="card"[^>]*data-day="([\d-]+)">(.*?)</section>', html, re.S)
    assert [d for d, _ in sections] == ["2025-11-05", "2025-11-06"]  # yesterday is not shown
    first, second = (body for _, body in sections)
    assert re.findall(r'data-level="(\d)"', first) == list("333333222222111111000000")
    assert re.findall(r'data-level="(\d)"', second) == list("0" * 6 + "1" * 18)
    assert "Aujourd'hui, mercredi 5 novembre 2025" in first and "jeudi 6 novembre 2025" in second
    assert '<span class="eco-word eco-2">orange</span>' in first and "Consommation élevée en soirée" in first
    assert '<span class="eco-word eco-1">vert</span>' in second
    assert re.findall(r">(\d+) h</li>", first) == [str(h) for h in range(24)]
    assert 'title="0 h – 1 h : rouge"' in first and 'title="23 h – 24 h : vert, production décarbonée"' in first


def test_ecowatt_without_data_says_so(client_at, sqlite_engine):
    html = client_at().get("/ecowatt").get_data(as_text=True)
    assert "Aucun signal EcoWatt enregistré" in html and "data-level" not in html
    with sqlite_engine.begin() as conn:
        repo.store_ecowatt(conn, [ecowatt(date(2025, 11, 1), 1, "1" * 24)])
    html = client_at().get("/ecowatt").get_data(as_text=True)
    assert "Aucun signal EcoWatt enregistré" in html and "01/11/2025" in html


def test_tempo_colour_split_chart_and_csv(client_at, sqlite_engine):
    store_tempo(sqlite_engine, autumn_2025())
    client = client_at()
    html = client.get("/tempo").get_data(as_text=True)
    import html as html_lib
    import json
    spec = json.loads(html_lib.unescape(re.search(r"data-chart='([^']*)'", html).group(1)))
    # up to tomorrow (6 November, not published): September 29 blue (10th unknown), October 30 blue + 1 white,
    # November 2 blue (1st, 2nd), 2 red, 1 white
    assert spec["stacked"] is True and spec["categories"] == ["sept.", "oct.", "nov."] and spec["yunit"] == "jours"
    assert [(s["label"], s["colour"], s["values"]) for s in spec["series"]] == [
        ("Bleu", "tempo-blue", [29, 30, 2]), ("Blanc", "tempo-white", [0, 1, 1]), ("Rouge", "tempo-red", [0, 0, 2])]
    assert "Télécharger (CSV)" in html
    days_csv = client.get("/tempo?format=csv")
    assert days_csv.headers["Content-Disposition"] == 'attachment; filename="tempo-saison-2025-2026.csv"'
    lines = days_csv.data.decode("utf-8").splitlines()
    assert lines[:3] == ["\ufeffJour;Couleur", "01/09/2025;Bleu", "02/09/2025;Bleu"]
    assert len(lines) == 1 + 65 and lines[-1] == "05/11/2025;Rouge"  # 66 days, 10 September unknown
    months = client.get("/tempo?format=csv&table=tempo-months").data.decode("utf-8").splitlines()
    assert months[0] == "\ufeffMois;Bleu (jours);Blanc (jours);Rouge (jours);Jours connus;Jours du mois"
    assert months[3] == "novembre 2025;2;1;2;5;30"  # 5 colours known of November's 30 days
    assert client.get("/tempo?format=csv&table=couts").status_code == 404  # no Tempo PDL here
