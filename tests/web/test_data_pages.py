"""Consumption and production pages: every view's table figures, DST days, ingress links, bad input."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.aggregate import local_start
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, MaxPower
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from myelectricaldata.web.app import create_app
from tests.support.pages import Tables
from tests.support.syncing import make_sync

HOME, SOLAR = "11111111111111", "22222222222222"
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PREFIX = "/api/hassio_ingress/TOKEN"
NBSP = "\xa0"


def curve_day(day: date, watts) -> list[CurvePoint]:
    """PT30M points of a whole local day; ``watts(local start)`` gives each one's power."""
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [CurvePoint(s, 30, watts(local_start(s)), day) for s in range(start, end, 1800)]


def night_and_day(local: datetime) -> int:
    """1000 W from 22:00 to 06:00, 2000 W otherwise."""
    return 1000 if local.hour < 6 or local.hour >= 22 else 2000


def seed(engine) -> None:
    """HOME: consumption with an off-peak contract; SOLAR: a producer on a base contract."""
    with engine.begin() as conn:
        repo.save_usage_point(conn, HOME, name="Maison", pricing_option="HC_HP")
        repo.save_usage_point(conn, SOLAR, name="Atelier solaire", pricing_option="BASE", has_production=True)
        repo.record_contract(conn, HOME, date(2025, 1, 10), {"subscribed_kva": 9, "pricing_option": "HC_HP",
                                                             "offpeak_hours": "22:00-06:00",
                                                             "last_tariff_change_date": date(2024, 1, 1)})
        repo.record_contract(conn, SOLAR, date(2025, 1, 10), {"subscribed_kva": 6, "pricing_option": "BASE"})
        days = [date(2025, 10, 1) + timedelta(days=i) for i in range(35)]  # 1 October -> 4 November
        repo.store_daily(conn, HOME, "consumption", [DailyValue(d, 41000 if d == AUTUMN else 40000) for d in days])
        repo.store_daily(conn, SOLAR, "consumption", [DailyValue(d, 5000) for d in days])
        repo.store_daily(conn, SOLAR, "production", [DailyValue(d, 1500) for d in days])
        for day in (SPRING, date(2025, 10, 25), AUTUMN, date(2025, 10, 27)):
            repo.store_load_curve(conn, HOME, "consumption", curve_day(day, night_and_day))
        repo.store_load_curve(conn, SOLAR, "production",
                              curve_day(AUTUMN, lambda t: 800 if 10 <= t.hour < 16 else 0))
        repo.store_max_power(conn, HOME, [
            MaxPower(date(2025, 10, 25), 5120, epoch(datetime(2025, 10, 25, 17, 40, tzinfo=UTC))),
            MaxPower(AUTUMN, 7310, epoch(datetime(2025, 10, 26, 1, 15, tzinfo=UTC)))])  # 02:15 CET


def make_client(engine, tmp_path):
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, clock=lambda: NOW)).test_client()


@pytest.fixture
def client(sqlite_engine, tmp_path):
    seed(sqlite_engine)
    return make_client(sqlite_engine, tmp_path)


def page(client, url: str, status: int = 200) -> Tables:
    response = client.get(url)
    assert response.status_code == status, response.text
    return Tables(response.text)


def rows(client, url: str) -> list[list[str]]:
    """Body rows of the page's first table (the bars' table comes before the year-over-year one)."""
    return page(client, url).tables[0][1:]


def test_defaults_first_pdl_by_label_last_30_days_daily_bars(client):
    response = client.get("/consumption_kwh")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<option value="22222222222222" selected>Atelier solaire</option>', html)
    assert 'name="start" value="2025-10-06"' in html and 'name="end" value="2025-11-04"' in html
    assert re.search(r'<a href="[^"]*view=day" aria-current="true">Jour</a>', html)
    table = Tables(html).tables[0][1:]
    assert len(table) == 30 and table[0] == ["06/10/2025", "5,0"]
    assert "Heures creuses" not in html  # a base contract has no split


def test_daily_bars_with_the_hphc_split(client):
    table = rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-10-24&end=2025-10-27")
    # 22:00-06:00 at 1000 W = 8 kWh off-peak (9 on the 25-hour day), 16 h at 2000 W = 32 kWh peak
    assert table == [["24/10/2025", "40,0", "—", "—"], ["25/10/2025", "40,0", "8,0", "32,0"],
                     ["26/10/2025", "41,0", "9,0", "32,0"], ["27/10/2025", "40,0", "8,0", "32,0"]]


def test_weekly_monthly_yearly_bars(client):
    base = f"/consumption_kwh?pdl={HOME}&start=2025-10-20&end=2025-11-04&view="
    assert rows(client, base + "week") == [
        ["sem. 43 2025 (du 20/10/2025)", "281,0", "17,0", "64,0", "2 j / 7"],  # curve stored on 25 and 26 only
        ["sem. 44 2025 (du 27/10/2025)", "280,0", "8,0", "32,0", "1 j / 7"],
        ["sem. 45 2025 (du 03/11/2025) (partiel : 2 j / 7)", "80,0", "—", "—", "0 j / 7"]]  # 3 and 4 November
    assert rows(client, base + "month") == [
        ["octobre 2025 (partiel : 12 j / 31)", "481,0", "25,0", "96,0", "3 j / 31"],
        ["novembre 2025 (partiel : 4 j / 30)", "160,0", "—", "—", "0 j / 30"]]
    assert rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-01-01&end=2025-11-04&view=year")[0][:2] == [
        "2025 (partiel : 35 j / 365)", f"1{NBSP}401,0"]  # 1 October -> 4 November


def test_raw_load_curve_on_the_fall_back_day_has_50_unambiguous_rows(client):
    table = rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-10-26&end=2025-10-26&view=curve")
    assert len(table) == 50
    labels = [label for label, _ in table]
    assert labels[4:8] == ["26/10/2025 02:00 (UTC+2)", "26/10/2025 02:30 (UTC+2)",
                           "26/10/2025 02:00 (UTC+1)", "26/10/2025 02:30 (UTC+1)"]
    assert len(set(labels)) == 50
    assert table[0][1] == f"1{NBSP}000" and table[20] == ["26/10/2025 09:00", f"2{NBSP}000"]


def test_raw_load_curve_on_the_spring_forward_day_has_46_rows(client):
    table = rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-03-30&end=2025-03-30&view=curve")
    assert len(table) == 46
    assert [label for label, _ in table[3:5]] == ["30/03/2025 01:30", "30/03/2025 03:00"]  # no hour repeats


def test_ordinary_days_carry_no_offset(client):
    table = rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-10-27&end=2025-10-27&view=curve")
    assert len(table) == 48 and table[0][0] == "27/10/2025 00:00"


def test_long_curve_switches_to_hourly_energy_and_says_so(client):
    response = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-10-01&end=2025-11-04&view=curve")
    assert "énergie par heure" in response.text
    table = Tables(response.text).tables[0][1:]
    autumn = [r for r in table if r[0].startswith("26/10/2025")]
    assert len(autumn) == 25
    assert autumn[2:4] == [["26/10/2025 02:00 (UTC+2)", f"1{NBSP}000"], ["26/10/2025 02:00 (UTC+1)", f"1{NBSP}000"]]
    assert autumn[10] == ["26/10/2025 09:00", f"2{NBSP}000"]
    assert len(table) == 24 + 25 + 24  # only the stored days of the range


def test_curve_over_a_year_is_daily(client):
    response = client.get(f"/consumption_kwh?pdl={HOME}&start=2024-11-01&end=2025-11-04&view=curve")
    assert "énergie par jour" in response.text
    assert Tables(response.text).tables[0][1:] == [["30/03/2025", "39,0"], ["25/10/2025", "40,0"],
                                                   ["26/10/2025", "41,0"], ["27/10/2025", "40,0"]]


def test_heatmap_rows_are_local_days_of_48_half_hours(client):
    response = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-03-30&end=2025-10-27&view=heatmap")
    (table,) = Tables(response.text).tables
    head, body = table[0], table[1:]
    assert head[:3] == ["Jour", "00:00", "00:30"] and len(head) == 49
    assert [r[0] for r in body] == ["30/03/2025 (23 h)", "25/10/2025", "26/10/2025 (25 h)", "27/10/2025"]
    spring, autumn = body[0], body[2]
    assert spring[1:8] == [f"1{NBSP}000"] * 4 + ["", ""] + [f"1{NBSP}000"]  # 02:00 and 02:30 do not exist
    assert autumn[5:7] == [f"1{NBSP}000*"] * 2  # the repeated half-hours, averaged and flagged
    assert autumn[13] == autumn[44] == f"2{NBSP}000" and autumn[45] == autumn[48] == f"1{NBSP}000"  # 06:00, 21:30
    assert 'class="table-scroll"' in response.text


def test_max_power_against_subscribed_kva(client):
    table = rows(client, f"/consumption_kwh?pdl={HOME}&start=2025-10-25&end=2025-10-27&view=power")
    assert table == [["25/10/2025", "5,12", "19:40", "9"], ["26/10/2025", "7,31", "02:15 (UTC+1)", "9"]]


def test_production_lists_only_producers(client):
    html = client.get("/production").text
    assert SOLAR in html and HOME not in html
    assert "Puissance max" not in html and "Heures creuses" not in html
    table = rows(client, "/production?start=2025-10-26&end=2025-10-26&view=curve")
    assert len(table) == 50 and table[12] == ["26/10/2025 05:00", "0"]  # the offset only in the repeated hour
    assert rows(client, "/production?start=2025-10-26&end=2025-10-27") == [["26/10/2025", "1,5"],
                                                                         ["27/10/2025", "1,5"]]
    assert client.get(f"/production?pdl={HOME}").status_code == 404
    assert client.get("/production?view=power").status_code == 400


def test_no_producer_gives_a_plain_message(sqlite_engine, tmp_path):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, HOME, name="Maison")
    response = make_client(sqlite_engine, tmp_path).get("/production")
    assert response.status_code == 200
    assert "Aucun point de livraison ne produit" in response.text and "<form" not in response.text


@pytest.mark.parametrize("view", ["day", "week", "month", "year", "curve", "heatmap", "power"])
def test_every_link_and_form_carries_the_ingress_prefix(client, view):
    response = client.get(f"/consumption_kwh?pdl={HOME}&view={view}&start=2025-10-20&end=2025-10-30",
                          headers={"X-Ingress-Path": PREFIX})
    assert response.status_code == 200
    parsed = Tables(response.text)
    local = [u for u in parsed.urls if not u.startswith(("data:", "#"))]
    assert local and all(u.startswith(PREFIX + "/") for u in local), local
    assert f'action="{PREFIX}/consumption_kwh"' in response.text
    assert f'href="{PREFIX}/consumption_kwh?pdl={HOME}&amp;start=2025-10-20&amp;end=2025-10-30&amp;view=heatmap"' \
        in response.text


@pytest.mark.parametrize(("query", "field"), [
    ("start=2025-13-01", "start"), ("end=yesterday", "end"), ("start=2025-11-02&end=2025-11-01", "start"),
    ("view=pie", "view")])
def test_bad_input_is_a_400_naming_the_field(client, query, field):
    response = client.get(f"/consumption_kwh?pdl={HOME}&{query}")
    assert response.status_code == 400
    assert f"({field})" in response.text


def test_unknown_pdl_is_a_404(client):
    assert client.get("/consumption_kwh?pdl=99999999999999").status_code == 404
    assert client.get("/consumption_kwh?pdl=nope").status_code == 404


@pytest.mark.parametrize(("query", "note"), [
    ("view=day&start=0001-01-01&end=9999-12-31", "Fin ramenée"),
    ("view=heatmap&start=2000-01-01&end=2025-11-04", "Période limitée aux 366 derniers jours"),
    ("view=curve&start=1900-01-01&end=2025-11-04", "Période limitée aux 731 derniers jours"),
    ("view=power&start=0001-01-01&end=2025-11-04", "Période limitée"),
    ("view=year&start=0001-01-01&end=0001-12-31", "Début ramené au 01/01/2000"),
    ("view=curve&start=2030-01-01&end=2030-12-31", "Fin ramenée à aujourd&#39;hui (05/11/2025)"),
])
def test_huge_ranges_are_capped_and_said(client, query, note):
    response = client.get(f"/consumption_kwh?pdl={HOME}&{query}")
    assert response.status_code == 200
    assert note in response.text


def test_an_ancient_range_is_shown_empty(client):
    response = client.get(f"/consumption_kwh?pdl={HOME}&start=0001-01-01&end=0001-01-02")
    assert response.status_code == 200 and "Aucune donnée enregistrée" in response.text


def test_pages_over_a_synced_simulator(sqlite_engine, tmp_path):
    hchp = DEMO_HOUSEHOLDS[1].usage_point_id
    with start_simulator(today=date(2025, 11, 5)) as sim:
        assert make_sync(sqlite_engine, sim, tmp_path).run(since=date(2025, 10, 24)).ok
    client = make_client(sqlite_engine, tmp_path)
    base = f"/consumption_kwh?pdl={hchp}&start=2025-10-25&end=2025-10-27&view="
    for view in ("day", "week", "month", "year", "curve", "heatmap", "power"):
        assert client.get(base + view).status_code == 200, view
    daily = rows(client, base + "day")
    assert [r[0] for r in daily] == ["25/10/2025", "26/10/2025", "27/10/2025"]
    assert all(len(r) == 4 and r[2] != "—" for r in daily)  # HC/HP split from the contract's windows
    curve = rows(client, base + "curve")
    assert [sum(r[0].startswith(d) for r in curve) for d in ("25/10", "26/10", "27/10")] == [48, 50, 48]
    assert client.get("/production").status_code == 200


def charts_of(html: str) -> list[dict]:
    """The chart specs of a page (``data-chart`` JSON), in order."""
    import html as html_lib
    import json
    return [json.loads(html_lib.unescape(spec)) for spec in re.findall(r"data-chart='([^']*)'", html)]


def test_the_chosen_range_its_total_and_where_data_exists(client):
    html = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-09-01&end=2025-11-04").text
    # 1 October -> 4 November: 34 days of 40 kWh and the 25-hour day of 41 kWh = 1 401 kWh
    assert f"<strong data-key>1{NBSP}401,0 kWh</strong>" in html
    assert "(partiel : 35 j / 65)" in html  # 65 days from 1 September to 4 November, 35 with data
    assert "Données disponibles du 01/10/2025 au 04/11/2025." in html
    whole = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-10-06&end=2025-11-04").text
    assert f"<strong data-key>1{NBSP}201,0 kWh</strong>" in whole  # 29 × 40 + 41
    assert "Données disponibles" not in whole and "(partiel : " not in whole.split("range-summary")[1][:400]


def test_months_and_years_on_a_category_axis_with_partial_marks(client):
    (months, _) = charts_of(client.get(f"/consumption_kwh?pdl={HOME}&start=2025-10-20&end=2025-11-04"
                                              "&view=month").text)
    assert months["categories"] == ["oct. 2025 (partiel)", "nov. 2025 (partiel)"]
    assert months["stacked"] is True and [s["label"] for s in months["series"]] == ["Heures creuses", "Heures pleines"]
    assert months["series"][0]["values"] == [25.0, None]  # off-peak kWh of 25 and 26 October (8 + 9 + 8)
    (years, _) = charts_of(client.get(f"/consumption_kwh?pdl={SOLAR}&start=2025-01-01&end=2025-11-04"
                                      "&view=year").text)
    assert years["categories"] == ["2025 (partiel)"] and "stacked" not in years


def test_this_year_against_last_year_by_month(client):
    html = client.get(f"/consumption_kwh?pdl={HOME}").text
    compared = charts_of(html)[-1]
    assert compared["categories"][:3] == ["janv.", "févr.", "mars"] and len(compared["categories"]) == 12
    assert [s["label"] for s in compared["series"]] == ["2025 (cette année)", "2024 (l'an dernier)"]
    assert compared["series"][0]["values"][9:11] == [1241.0, 160.0]  # 30 × 40 + 41; 4 × 40
    assert compared["series"][1]["values"] == [None] * 12
    table = Tables(html).tables[-1]
    assert table[0] == ["Mois", "2025 (kWh)", "2024 (kWh)", "Écart (kWh)", "Jours 2025", "Jours 2024"]
    assert table[10] == ["octobre", f"1{NBSP}241,0", "—", "—", "31 j / 31", "—"]
    assert table[11] == ["novembre", "160,0", "—", "—", "4 j / 30 (partiel)", "—"]


def test_csv_download_of_the_table_shown(client):
    html = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-01-01&end=2025-11-04&view=year").text
    assert (f'href="/consumption_kwh?pdl={HOME}&amp;start=2025-01-01&amp;end=2025-11-04&amp;view=year'
            '&amp;format=csv&amp;table=bars-year" download>Télécharger (CSV)</a>') in html
    response = client.get(f"/consumption_kwh?pdl={HOME}&start=2025-01-01&end=2025-11-04&view=year&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="consommation-maison-2025-01-01_2025-11-04.csv"')
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffPériode;Consommation (kWh);Heures creuses (kWh);Heures pleines (kWh);"
                           "Jours avec courbe de charge\r\n")
    # 1 401 kWh written without the thousands space; the curve's split over the four stored days: off-peak
    # 7 (30 March lost 02:00-03:00) + 8 + 9 (the 25-hour day) + 8 = 32 kWh, peak 4 × 16 h × 2 kW = 128 kWh
    assert text.splitlines()[1] == "2025 (partiel : 35 j / 365);1401,0;32,0;128,0;4 j / 365"  # the table as shown
    by_month = client.get(f"/consumption_kwh?pdl={HOME}&format=csv&table=year-over-year")
    assert by_month.headers["Content-Disposition"].endswith('consommation-par-mois-maison-2025-10-06_2025-11-04.csv"')
    assert by_month.data.decode("utf-8").splitlines()[11] == "novembre;160,0;—;—;4 j / 30 (partiel);—"


def test_csv_of_production_and_of_the_heat_map(client):
    production = client.get(f"/production?pdl={SOLAR}&start=2025-10-26&end=2025-10-27&format=csv")
    assert production.headers["Content-Disposition"] == (
        'attachment; filename="production-atelier-solaire-2025-10-26_2025-10-27.csv"')
    assert production.data.decode("utf-8").splitlines() == ["\ufeffPériode;Production (kWh)", "26/10/2025;1,5",
                                                            "27/10/2025;1,5"]
    heat = client.get(f"/production?pdl={SOLAR}&start=2025-10-26&end=2025-10-26&view=heatmap&format=csv")
    lines = heat.data.decode("utf-8").splitlines()
    assert lines[0].startswith("\ufeffJour;00:00;00:30") and lines[1].startswith("26/10/2025 (25 h);0;")
