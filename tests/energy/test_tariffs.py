"""The regulated tariff data file: versions, dates, kVA levels, sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from myelectricaldata.energy.tariffs import parse_tariffs, regulated_tariffs, version_on

DATES = [date(2024, 2, 1), date(2025, 2, 1), date(2025, 8, 1), date(2026, 2, 1)]


@pytest.mark.parametrize("option", ["BASE", "HPHC", "TEMPO"])
def test_every_option_has_the_four_grids_with_6_and_9_kva_and_sources(option):
    versions = regulated_tariffs()[option]
    assert set(DATES) <= {v.valid_from for v in versions}
    for v in versions:
        assert v.monthly(6) is not None and v.monthly(9) is not None
        assert v.sources and all(isinstance(p, D) for p in v.energy.values())


def test_known_figures():
    tempo = version_on(regulated_tariffs()["TEMPO"], date(2025, 5, 1))
    assert tempo.energy["BLUE_HC"] == D("0.1288")  # the CRE CSV's 0.1287 is noted, not used
    assert any("0.1287" in n for n in tempo.notes)
    base = regulated_tariffs()["BASE"]
    assert version_on(base, date(2024, 9, 1)).monthly(6) == D("12.68")  # the 2024-08-01 subscription change
    assert version_on(base, date(2026, 3, 1)).energy_for(3)["BASE"] == D("0.1940")
    assert version_on(base, date(2026, 3, 1)).energy_for(36)["BASE"] == D("0.1927")
    assert version_on(base, date(2025, 3, 1)).monthly(36) == D("48.39")
    assert version_on(regulated_tariffs()["HPHC"], date(2025, 9, 1)).monthly(12) is None  # no source: unknown


def test_before_the_first_version_the_earliest_applies():
    assert version_on(regulated_tariffs()["BASE"], date(2023, 1, 1)).valid_from == date(2024, 2, 1)


def test_parse_tariffs_reads_kva_bands():
    doc = {"versions": [{"option": "BASE", "valid_from": "2026-02-01", "energy": {"BASE": "0.2"},
                         "energy_by_kva": [{"kva": [3, 6], "energy": {"BASE": "0.3"}}], "subscription": {"6": "1"}}]}
    v = parse_tariffs(doc)["BASE"][0]
    assert v.energy_for(6) == {"BASE": D("0.3")} and v.energy_for(9) == {"BASE": D("0.2")}
