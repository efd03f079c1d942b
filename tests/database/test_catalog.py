"""The catalog tables on SQLite, PostgreSQL and MariaDB: the migration matches the models, the grouped history
reads back as it was stored, nothing is ever deleted, keys compare byte for byte, Zen Flex days leave unknown
days out, and the freshness of each part."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from myelectricaldata.database import catalog as cat
from myelectricaldata.database import models as m
from myelectricaldata.gateway.catalog import group_history, parse_offer_types, parse_offers, parse_providers
from myelectricaldata.simulator.catalog import catalog, provider_id
from myelectricaldata.simulator.catalog_data import SUPPLIERS
from tests.support.fixtures import fixture_json

TABLES = ("catalog_providers", "catalog_grids", "catalog_offer_types", "zen_flex_days", "catalog_fetches")
T1 = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
PROVIDERS = parse_providers(fixture_json("gateway", "catalog", "energy-providers.json")["data"])
ROWS = fixture_json("gateway", "catalog", "energy-offers.json")["data"]


def grouped(rows):
    parsed = parse_offers(rows, PROVIDERS)
    assert parsed.refused == []
    return group_history(parsed.grids)


def count(engine, table):
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def test_the_migration_creates_what_the_models_describe(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.metadata)
    ours = [d for d in diff if any(name in repr(d) for name in TABLES)]
    assert ours == []
    assert set(TABLES) <= set(sa.inspect(engine).get_table_names())


def test_the_simulated_catalog_reads_back_as_stored(engine):
    today = date(2026, 11, 27)
    providers = parse_providers([{"id": provider_id(s.name), "name": s.name} for s in SUPPLIERS])
    parsed = parse_offers([r.row for r in catalog(today)], providers)
    history = group_history(parsed.grids)
    with engine.begin() as conn:
        assert cat.store_history(conn, history, T1) == len(parsed.grids)
    with engine.connect() as conn:
        assert cat.history(conn) == history
        six = cat.history(conn, 6)
    assert six == {k: g for k, g in history.items() if k[3] in (6, None)}
    assert any(k[3] is None for k in six) and any(g[-1].hc_schedules for g in six.values())


def test_storing_again_updates_in_place_and_never_deletes(engine):
    old = copy.deepcopy(ROWS[0]) | {"id": "old", "valid_from": "2025-02-01T00:00:00+00:00",
                                    "valid_to": "2025-07-31T00:00:00+00:00", "is_active": False,
                                    "base_price": "0.20160", "subscription_price": "13.72"}
    with engine.begin() as conn:
        cat.store_history(conn, grouped(ROWS), T1)
        cat.store_history(conn, grouped([old]), T2)  # a later answer with an older grid only
    assert count(engine, m.catalog_grids) == len(ROWS) + 1
    renamed = copy.deepcopy(ROWS[0]) | {"id": "minted-again", "base_price": "0.19530"}  # same grid, new id
    with engine.begin() as conn:
        cat.store_history(conn, grouped([renamed]), T2)
    with engine.connect() as conn:
        base = conn.execute(sa.select(m.catalog_grids).where(m.catalog_grids.c.kind == "BASE")
                            .order_by(m.catalog_grids.c.valid_from)).all()
        assert cat.key_of_gateway_id(conn, "minted-again") == ("EDF", "Tarif Bleu", "BASE", 6)
        assert cat.key_of_gateway_id(conn, "00000000-0000-4000-9000-000000000001") is None
        assert cat.key_of_gateway_id(conn, "old") == ("EDF", "Tarif Bleu", "BASE", 6)
    assert [(r.valid_from, r.valid_to, r.gateway_id) for r in base] == [
        (date(2025, 2, 1), date(2025, 8, 1), "old"), (date(2025, 8, 1), None, "minted-again")]
    assert base[1].first_seen_at == T1.replace(tzinfo=None) and base[1].seen_at == T2.replace(tzinfo=None)
    assert '"base_price": "0.19530"' in base[1].prices and count(engine, m.catalog_grids) == len(ROWS) + 1


def test_the_history_becomes_offers_with_every_grid(engine):
    old = copy.deepcopy(ROWS[2]) | {"id": "t-old", "valid_from": "2025-02-01", "valid_to": "2025-07-31",
                                    "tempo_red_hp": "0.65860"}
    with engine.begin() as conn:
        cat.store_history(conn, grouped([*ROWS, old]), T1)
    with engine.connect() as conn:
        offers = {o.key: o for o in cat.catalog_offers(conn, 6)}
        assert cat.catalog_offers(conn, 9) == []
        assert cat.offer_history(conn, ("EDF", "Tarif Bleu", "TEMPO", 6)) == \
            cat.history(conn)["EDF", "Tarif Bleu", "TEMPO", 6]
        assert len(cat.offer_history(conn, ("EDF", "Tarif Bleu", "TEMPO", 6))) == 2
        assert cat.offer_history(conn, ("EDF", "Tarif Bleu", "TEMPO", 9)) == ()
    tempo = offers["catalog:EDF|Tarif Bleu|TEMPO|6"]
    assert [(v.valid_from, v.valid_to, v.energy["RED_HP"]) for v in tempo.versions] == [
        (date(2025, 2, 1), date(2025, 8, 1), D("0.65860")), (date(2025, 8, 1), None, D("0.64680"))]
    assert offers["catalog:EDF|Zen Week-End - Option Flex|ZEN_FLEX|6"].kind == "ZEN_FLEX"
    assert len(offers) == len(ROWS)


def test_names_differing_by_case_or_accent_stay_apart(engine):
    rows = [copy.deepcopy(ROWS[4]) | {"id": f"id-{i}", "name": name}
            for i, name in enumerate(("Flexi Watt - 2 saisons", "Flexi WATT - 2 saisons", "Flexi Watt - 2 Saisons",
                                      "Flexi Watt - 2 saisòns"))]
    with engine.begin() as conn:
        cat.store_history(conn, grouped(rows), T1)
    with engine.connect() as conn:
        assert sorted(k[1] for k in cat.history(conn)) == sorted(r["name"] for r in rows)


def test_providers_and_offer_types_upserted_by_name_and_code(engine):
    types = parse_offer_types(fixture_json("gateway", "catalog", "energy-offer-types.json")["data"])
    with engine.begin() as conn:
        cat.store_providers(conn, PROVIDERS, T1)
        cat.store_providers(conn, PROVIDERS[:1], T2)
        cat.store_offer_types(conn, types, T1)
        cat.store_offer_types(conn, types, T2)
    with engine.connect() as conn:
        providers = cat.providers(conn)
        offer_types = cat.offer_types(conn)
    assert [(p["name"], p["seen_at"]) for p in providers] == [("EDF", T2), ("Enercoop", T1)]
    assert providers[0]["scraper_urls"] == list(PROVIDERS[0].scraper_urls) and providers[1]["website"] == ""
    assert [t["code"] for t in offer_types] == [t.code for t in types]
    assert offer_types[2]["required_price_fields"] == list(types[2].required_price_fields)


def test_zen_flex_days_a_missing_day_is_unknown(engine):
    first = date(2023, 11, 1)
    today = date(2023, 11, 20)
    with engine.connect() as conn:
        assert cat.zen_flex_fetch_start(conn, today) is None  # nothing stored: the whole calendar
    calendar = {first + timedelta(days=n): "ECO" for n in range(20)} | {date(2023, 11, 10): "SOBRIETE"}
    del calendar[date(2023, 11, 12)]
    with engine.begin() as conn:
        cat.store_zen_flex_days(conn, calendar, T1)
    with engine.connect() as conn:
        week = cat.zen_flex_days(conn, date(2023, 11, 9), date(2023, 11, 15))
        assert cat.zen_flex_gaps(conn, first, today) == [date(2023, 11, 12)]
        assert cat.zen_flex_fetch_start(conn, today) is None  # a gap: the whole calendar again
    assert list(week) == [date(2023, 11, d) for d in (9, 10, 11, 13, 14, 15)] and week[date(2023, 11, 10)] == "SOBRIETE"
    with engine.begin() as conn:
        cat.store_zen_flex_days(conn, {date(2023, 11, 12): "BONUS", date(2023, 11, 10): "ECO"}, T2)
    with engine.connect() as conn:
        assert cat.zen_flex_gaps(conn, first, today) == []
        assert cat.zen_flex_fetch_start(conn, today) == date(2023, 11, 13)  # a week back: revisions
        assert cat.zen_flex_fetch_start(conn, date(2023, 11, 22)) is None  # today not known yet
        assert cat.zen_flex_days(conn, date(2023, 11, 10), date(2023, 11, 12)) == {
            date(2023, 11, 10): "ECO", date(2023, 11, 11): "ECO", date(2023, 11, 12): "BONUS"}


def test_freshness_of_each_part(engine):
    with engine.connect() as conn:
        empty = cat.catalog_freshness(conn)
    assert list(empty) == list(cat.PARTS) and all(f.fetched_at is None and f.stored == 0 for f in empty.values())
    with engine.begin() as conn:
        cat.store_history(conn, grouped(ROWS), T1)
        cat.record_fetch(conn, "offers", 7, ["EDF « X » (id 9): tempo_red_hp = '65.86' is c€/kWh"], T1)
        cat.record_fetch_error(conn, "offers", "TIMEOUT: no answer " + "x" * 900, T2)
        cat.record_fetch_error(conn, "zen_flex", "UNREACHABLE", T2)
    with engine.connect() as conn:
        fresh = cat.catalog_freshness(conn)
    offers = fresh["offers"]
    assert (offers.fetched_at, offers.received, offers.refused, offers.stored) == (T1, 7, 1, len(ROWS))
    assert offers.problems == ("EDF « X » (id 9): tempo_red_hp = '65.86' is c€/kWh",)
    assert offers.tried_at == T2 and offers.last_error.startswith("TIMEOUT") and len(offers.last_error) == 500
    assert fresh["zen_flex"].fetched_at is None and fresh["zen_flex"].last_error == "UNREACHABLE"
    with engine.begin() as conn:
        cat.record_fetch(conn, "offers", 6, [], T2)
    with engine.connect() as conn:
        again = cat.catalog_freshness(conn)["offers"]
    assert (again.fetched_at, again.received, again.refused, again.problems, again.last_error) == (T2, 6, 0, (), "")


@pytest.mark.parametrize("kva", [None, 6])
def test_reading_an_empty_catalog(engine, kva):
    with engine.connect() as conn:
        assert cat.history(conn, kva) == {} and cat.catalog_offers(conn, kva) == []
        assert cat.providers(conn) == [] and cat.offer_types(conn) == []
