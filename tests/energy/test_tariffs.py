"""The regulated tariff data file: versions, dates, kVA levels, sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from myelectricaldata.energy.tariffs import KVA_LEVELS, parse_tariffs, regulated_tariffs, version_on

DATES = [date(2024, 2, 1), date(2025, 2, 1), date(2025, 8, 1), date(2026, 2, 1), date(2026, 8, 1)]
OFFERED = {"BASE": KVA_LEVELS, "HPHC": (6, 9, 12, 15, 18, 24, 30, 36), "TEMPO": (6, 9, 12, 15, 18, 30, 36)}
VERSIONS = [(option, v) for option in OFFERED for v in regulated_tariffs()[option]]


@pytest.mark.parametrize("option", ["BASE", "HPHC", "TEMPO"])
def test_every_option_has_the_five_grids_with_sources(option):
    versions = regulated_tariffs()[option]
    assert set(DATES) <= {v.valid_from for v in versions}
    for v in versions:
        assert v.sources and all(isinstance(p, D) for p in v.energy.values())


@pytest.mark.parametrize(("option", "version"), VERSIONS, ids=[f"{o}-{v.valid_from}" for o, v in VERSIONS])
def test_every_version_has_a_subscription_at_every_kva_the_option_exists_at_and_none_elsewhere(option, version):
    assert {kva: version.monthly(kva) is not None for kva in KVA_LEVELS} == {
        kva: kva in OFFERED[option] for kva in KVA_LEVELS}
    prices = [version.monthly(kva) for kva in OFFERED[option]]
    assert prices == sorted(prices) and all(D("5") < p < D("60") for p in prices)  # more kVA, more per month


def test_known_figures():
    tempo = version_on(regulated_tariffs()["TEMPO"], date(2025, 5, 1))
    assert tempo.energy["BLUE_HC"] == D("0.1288")  # the CRE CSV's 0.1287 is noted, not used
    assert any("0.1287" in n for n in tempo.notes)
    base = regulated_tariffs()["BASE"]
    assert version_on(base, date(2024, 9, 1)).monthly(6) == D("12.68")  # the 2024-08-01 subscription change
    assert version_on(base, date(2026, 3, 1)).energy_for(3)["BASE"] == D("0.1940")
    assert version_on(base, date(2026, 3, 1)).energy_for(36)["BASE"] == D("0.1927")
    assert version_on(base, date(2025, 3, 1)).monthly(36) == D("48.39")
    assert version_on(regulated_tariffs()["HPHC"], date(2025, 9, 1)).monthly(12) == D("23.76")
    tempo_2024 = version_on(regulated_tariffs()["TEMPO"], date(2024, 6, 1))
    assert tempo_2024.monthly(12) == D("19.73")  # the CRE CSV's 236.75 EUR/year / 12
    assert tempo_2024.monthly(18) == D("25.78")  # 309.30 / 12 = 25.775, half up
    assert version_on(regulated_tariffs()["TEMPO"], date(2026, 3, 1)).monthly(12) == D("23.07")
    assert version_on(regulated_tariffs()["TEMPO"], date(2026, 3, 1)).monthly(24) is None  # no 24 kVA Tempo
    assert version_on(regulated_tariffs()["HPHC"], date(2026, 3, 1)).monthly(3) is None  # no 3 kVA HP/HC


def test_the_2026_08_grid():
    base = version_on(regulated_tariffs()["BASE"], date(2026, 12, 7))
    assert base.valid_from == date(2026, 8, 1)
    assert (base.energy_for(6)["BASE"], base.energy_for(9)["BASE"], base.monthly(3)) == (
        D("0.2001"), D("0.1985"), D("12.13"))
    hphc = version_on(regulated_tariffs()["HPHC"], date(2026, 12, 7))
    assert (hphc.energy["HP"], hphc.energy["HC"], hphc.monthly(36)) == (D("0.2142"), D("0.1589"), D("53.88"))
    tempo = version_on(regulated_tariffs()["TEMPO"], date(2026, 12, 7))
    assert (tempo.energy["RED_HP"], tempo.energy["BLUE_HC"], tempo.monthly(12)) == (
        D("0.7295"), D("0.1356"), D("23.50"))
    assert any("Grille_prix_Tarif_Bleu.pdf" in source for source in tempo.sources)


def test_before_the_first_version_the_earliest_applies():
    assert version_on(regulated_tariffs()["BASE"], date(2023, 1, 1)).valid_from == date(2024, 2, 1)


def test_parse_tariffs_reads_kva_bands():
    doc = {"versions": [{"option": "BASE", "valid_from": "2026-02-01", "energy": {"BASE": "0.2"},
                         "energy_by_kva": [{"kva": [3, 6], "energy": {"BASE": "0.3"}}], "subscription": {"6": "1"}}]}
    v = parse_tariffs(doc)["BASE"][0]
    assert v.energy_for(6) == {"BASE": D("0.3")} and v.energy_for(9) == {"BASE": D("0.2")}
