"""Correctness suite of the catalog offer types: hand-made days, each expected value computed by hand in the
comment next to it (kWh x EUR/kWh), never by the code under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from myelectricaldata.energy import offer_rules
from myelectricaldata.energy.calendars import DayFacts
from myelectricaldata.energy.catalog import CatalogGrid, catalog_offer
from myelectricaldata.energy.costs import euros, price_days
from myelectricaldata.energy.day_loads import loads_by_day
from myelectricaldata.energy.offers import regulated_offer
from myelectricaldata.energy.offpeak import parse_windows
from myelectricaldata.energy.simulation import simulate_offers
from tests.support.curves import points

NIGHT = parse_windows("HC (22H00-6H00)")
KWH = 60_000  # watt-minutes


def offer(kind: str, prices: dict[str, str], name: str = "Offre", provider: str = "Fournisseur", hc=(),
          grids=((date(2024, 1, 1), None, "15.00"),)):
    """A catalog offer at 6 kVA with one grid per (valid_from, first day no longer covered, monthly)."""
    return catalog_offer([CatalogGrid(f"id-{n}", provider, name, kind, 6, D(monthly),
                                      {k: D(v) for k, v in prices.items()}, start, end, hc)
                          for n, (start, end, monthly) in enumerate(grids)])


def priced(curve, an_offer, offpeak=NIGHT, colours=None, zen_flex=None):
    return price_days(loads_by_day(curve), an_offer, lambda day: DayFacts(6, offpeak), colours, zen_flex=zen_flex)


def kwh_of(day) -> dict[str, D]:
    return {slot: D(wm) / KWH for slot, wm in day.energy.items() if wm}


# -- BASE_WEEKEND (EDF Zen Week-End: 0.1929 on weekdays, 0.1366 on Saturday and Sunday) --------------------
ZEN_WEEK_END = {"base_price": "0.1929", "base_price_weekend": "0.1366"}


def test_base_weekend_switches_at_midnight_between_friday_and_saturday():
    friday, saturday = date(2025, 11, 7), date(2025, 11, 8)
    days = priced(points(friday, 3000, "22:00") + points(saturday, 3000, "00:00", "02:00"),
                  offer("BASE_WEEKEND", ZEN_WEEK_END))
    # Friday 22:00-24:00: 3 kW x 2 h = 6 kWh x 0.1929 = 1.1574
    assert kwh_of(days[0]) == {"BASE": 6} and days[0].energy_cost == D("1.1574")
    # Saturday 00:00-02:00: 6 kWh x 0.1366 = 0.8196
    assert kwh_of(days[1]) == {"BASE_WE": 6} and days[1].energy_cost == D("0.8196")


def test_a_public_holiday_is_a_weekday_for_zen_week_end_unless_the_table_says_otherwise(monkeypatch):
    armistice = date(2025, 11, 11)  # a Tuesday
    (day,) = priced(points(armistice, 1000), offer("BASE_WEEKEND", ZEN_WEEK_END))
    assert day.energy_cost == D("4.6296")  # 24 kWh x 0.1929
    monkeypatch.setitem(offer_rules.HOLIDAYS_AS_WEEKEND, "BASE_WEEKEND", True)  # the one table to change
    (day,) = priced(points(armistice, 1000), offer("BASE_WEEKEND", ZEN_WEEK_END))
    assert day.energy_cost == D("3.2784")  # 24 kWh x 0.1366


# -- HC_NUIT_WEEKEND and WEEKEND (Enercoop Flexi Watt Nuit & Week-end: HP 0.29320, HC 0.16537) -----------
NIGHT_WEEKEND = {"hp_price": "0.29320", "hc_price": "0.16537"}


def test_night_and_weekend_from_sunday_night_into_monday():
    sunday, monday = date(2025, 11, 9), date(2025, 11, 10)
    days = priced(points(sunday, 2000, "22:00") + points(monday, 2000, "00:00", "07:00"),
                  offer("HC_NUIT_WEEKEND", NIGHT_WEEKEND))
    # Sunday 22:00-24:00 is weekend: 4 kWh HC x 0.16537 = 0.66148
    assert kwh_of(days[0]) == {"HC": 4} and days[0].energy_cost == D("0.66148")
    # Monday 00:00-06:00 night: 12 kWh x 0.16537 = 1.98444; 06:00-07:00 peak: 2 kWh x 0.29320 = 0.58640
    assert kwh_of(days[1]) == {"HC": 12, "HP": 2} and days[1].energy_cost == D("2.57084")


def test_night_and_weekend_on_a_public_holiday_and_the_day_after():
    armistice, wednesday = date(2025, 11, 11), date(2025, 11, 12)
    days = priced(points(armistice, 1000) + points(wednesday, 1000), offer("HC_NUIT_WEEKEND", NIGHT_WEEKEND))
    # the holiday is off-peak all day: 24 kWh x 0.16537 = 3.96888
    assert kwh_of(days[0]) == {"HC": 24} and days[0].energy_cost == D("3.96888")
    # Wednesday: HC 00:00-06:00 and 23:00-24:00 = 7 kWh x 0.16537 = 1.15759; HP 17 kWh x 0.29320 = 4.98440
    assert kwh_of(days[1]) == {"HC": 7, "HP": 17} and days[1].energy_cost == D("6.14199")


def test_weekend_type_bills_the_whole_weekend_at_its_weekend_price():
    offer_ = offer("WEEKEND", NIGHT_WEEKEND | {"hc_price_weekend": "0.12"})
    (day,) = priced(points(date(2025, 11, 8), 1000), offer_)
    assert kwh_of(day) == {"HC_WE": 24} and day.energy_cost == D("2.88")  # 24 kWh x 0.12


# -- SEASONAL (Enercoop Flexi Watt 2 saisons: winter HP 0.31128 / HC 0.23096, summer HP 0.19397 / HC 0.13579)
TWO_SEASONS = {"hp_price_winter": "0.31128", "hc_price_winter": "0.23096",
               "hp_price_summer": "0.19397", "hc_price_summer": "0.13579"}
FLEXI_WATT = offer("SEASONAL", TWO_SEASONS, "Flexi Watt - 2 saisons", "Enercoop")


def test_season_change_on_1_april_with_enercoop_hours():
    days = priced(points(date(2025, 3, 31), 1000) + points(date(2025, 4, 1), 1000), FLEXI_WATT)
    # Monday 31 March, winter: HC 00:00-07:00 and 13:00-16:00 = 10 kWh x 0.23096 = 2.30960;
    # HP 14 kWh x 0.31128 = 4.35792; total 6.66752
    assert kwh_of(days[0]) == {"HC_WINTER": 10, "HP_WINTER": 14} and days[0].energy_cost == D("6.66752")
    # Tuesday 1 April, summer: HC 11:00-17:00 = 6 kWh x 0.13579 = 0.81474; HP 18 kWh x 0.19397 = 3.49146
    assert kwh_of(days[1]) == {"HC_SUMMER": 6, "HP_SUMMER": 18} and days[1].energy_cost == D("4.30620")


def test_season_change_on_1_november_with_enercoop_hours_and_the_holiday():
    days = priced(points(date(2024, 10, 31), 1000) + points(date(2024, 11, 1), 1000), FLEXI_WATT)
    # Thursday 31 October, summer weekday: 6 x 0.13579 + 18 x 0.19397 = 0.81474 + 3.49146 = 4.30620
    assert days[0].energy_cost == D("4.30620")
    # Friday 1 November (Toussaint), winter, off-peak all day like a weekend: 24 kWh x 0.23096 = 5.54304
    assert kwh_of(days[1]) == {"HC_WINTER": 24} and days[1].energy_cost == D("5.54304")


def test_season_change_on_1_november_with_the_contract_windows():
    plain = offer("SEASONAL", TWO_SEASONS, "Saisonnier")
    days = priced(points(date(2024, 10, 31), 1000) + points(date(2024, 11, 1), 1000), plain)
    # 31 October: HC 22:00-06:00 8 kWh x 0.13579 = 1.08632 + HP 16 kWh x 0.19397 = 3.10352 -> 4.18984
    assert kwh_of(days[0]) == {"HC_SUMMER": 8, "HP_SUMMER": 16} and days[0].energy_cost == D("4.18984")
    # 1 November: 8 kWh x 0.23096 = 1.84768 + 16 kWh x 0.31128 = 4.98048 -> 6.82816
    assert kwh_of(days[1]) == {"HC_WINTER": 8, "HP_WINTER": 16} and days[1].energy_cost == D("6.82816")


def test_peak_days_follow_the_tempo_red_days_and_an_unknown_colour_is_flagged_where_red_is_possible():
    peak = offer("SEASONAL", TWO_SEASONS | {"peak_day_price": "0.52"}, "Saisonnier pointe")
    red, unknown_weekday, unknown_saturday = date(2025, 1, 15), date(2025, 1, 16), date(2025, 1, 18)
    days = priced(points(red, 1000) + points(unknown_weekday, 1000) + points(unknown_saturday, 1000), peak,
                  colours={date(2025, 1, 14): "WHITE", red: "RED"})
    assert kwh_of(days[0]) == {"PEAK_DAY": 24} and days[0].energy_cost == D("12.48")  # 24 kWh x 0.52
    # Thursday 16 January, colour unknown: assumed no peak, flagged; 8 x 0.23096 + 16 x 0.31128 = 6.82816
    assert days[1].energy_cost == D("6.82816") and days[1].estimated
    assert days[1].unknown_days == ((unknown_weekday, "PEAK_DAY", "NORMAL"),)
    # a Saturday cannot be red: no flag, same winter price 6.82816
    assert days[2].energy_cost == D("6.82816") and not days[2].estimated and days[2].unknown_days == ()


# -- ZEN_FLEX (the production row: Éco HC 0.1519 / HP 0.2091, Sobriété HC 0.2091 / HP 0.7253) ----------------
ZEN_FLEX = offer("SEASONAL", {"hc_price_winter": "0.20910", "hp_price_winter": "0.72530",
                              "hc_price_summer": "0.15190", "hp_price_summer": "0.20910"},
                 "Zen Week-End - Option Flex - 6 kVA", "EDF")


def test_zen_flex_is_recognised_by_name_and_sobriete_by_the_higher_peak_price():
    assert ZEN_FLEX.kind == "ZEN_FLEX" and ZEN_FLEX.name == "Zen Week-End - Option Flex"
    prices = ZEN_FLEX.versions[0].energy
    assert (prices["SOBRIETE_HP"], prices["SOBRIETE_HC"]) == (D("0.72530"), D("0.20910"))  # the *_winter pair
    assert (prices["ECO_HP"], prices["ECO_HC"]) == (D("0.20910"), D("0.15190"))
    assert (prices["BONUS_HP"], prices["BONUS_HC"]) == (prices["ECO_HP"], prices["ECO_HC"])


def test_zen_flex_sobriete_eco_bonus_and_unknown_days():
    eco, sobriete, unknown, bonus = (date(2025, 12, d) for d in (15, 16, 17, 18))
    curve = points(eco, 1000) + points(sobriete, 1000) + points(unknown, 1000) + points(bonus, 1000)
    days = priced(curve, ZEN_FLEX, zen_flex={eco: "ECO", sobriete: "SOBRIETE", bonus: "BONUS"})
    # HC 00:00-08:00, 13:00-18:00, 20:00-24:00 = 17 kWh; HP 08:00-13:00, 18:00-20:00 = 7 kWh
    # Éco: 17 x 0.1519 = 2.5823 + 7 x 0.2091 = 1.4637 -> 4.0460
    assert kwh_of(days[0]) == {"ECO_HC": 17, "ECO_HP": 7} and days[0].energy_cost == D("4.0460")
    # Sobriété: 17 x 0.2091 = 3.5547 + 7 x 0.7253 = 5.0771 -> 8.6318
    assert kwh_of(days[1]) == {"SOBRIETE_HC": 17, "SOBRIETE_HP": 7} and days[1].energy_cost == D("8.6318")
    # unknown: priced as Sobriété (never Éco) and flagged, every kWh kept: 8.6318
    assert days[2].energy_cost == D("8.6318") and sum(days[2].energy.values()) == 24 * KWH
    assert days[2].estimated and days[2].unknown_days == ((unknown, "ZEN_FLEX", "SOBRIETE"),)
    # Bonus at Éco prices: 4.0460
    assert kwh_of(days[3]) == {"BONUS_HC": 17, "BONUS_HP": 7} and days[3].energy_cost == D("4.0460")


def test_zen_flex_on_the_spring_day_with_a_10_minute_curve():
    day = date(2025, 3, 30)
    (priced_day,) = priced(points(day, 1000, minutes=10), ZEN_FLEX, zen_flex={day: "ECO"})
    # 23 h: 02:00-03:00 does not exist. HC 00:00-02:00 + 03:00-08:00 (7 h) + 13:00-18:00 (5) + 20:00-24:00 (4)
    # = 16 kWh x 0.1519 = 2.4304; HP 08:00-13:00 + 18:00-20:00 = 7 kWh x 0.2091 = 1.4637; total 3.8941
    assert kwh_of(priced_day) == {"ECO_HC": 16, "ECO_HP": 7} and priced_day.energy_cost == D("3.8941")


def test_zen_flex_on_the_autumn_day():
    day = date(2025, 10, 26)
    (priced_day,) = priced(points(day, 1000), ZEN_FLEX, zen_flex={day: "ECO"})
    # 25 h: 02:00-03:00 twice. HC 00:00-08:00 (9 h) + 5 + 4 = 18 kWh x 0.1519 = 2.7342; HP 7 x 0.2091 = 1.4637
    assert kwh_of(priced_day) == {"ECO_HC": 18, "ECO_HP": 7} and priced_day.energy_cost == D("4.1979")


# -- TEMPO (the catalog's Tarif Bleu Tempo: HC/HP blue 0.1232/0.1494, white 0.1391/0.1730, red 0.1460/0.6468)
TEMPO = offer("TEMPO", {"tempo_blue_hc": "0.1232", "tempo_blue_hp": "0.1494", "tempo_white_hc": "0.1391",
                        "tempo_white_hp": "0.1730", "tempo_red_hc": "0.1460", "tempo_red_hp": "0.6468"}, "Tarif Bleu")


def test_a_tempo_red_night_belongs_to_the_red_day():
    white, red, blue = date(2025, 1, 14), date(2025, 1, 15), date(2025, 1, 16)
    days = priced(points(red, 2000, "21:00") + points(blue, 2000, "00:00", "07:00"), TEMPO,
                  colours={white: "WHITE", red: "RED", blue: "BLUE"})
    # 15 Jan: 21:00-22:00 RED_HP 2 kWh x 0.6468 = 1.2936; 22:00-24:00 RED_HC 4 kWh x 0.1460 = 0.5840
    assert kwh_of(days[0]) == {"RED_HP": 2, "RED_HC": 4} and days[0].energy_cost == D("1.8776")
    # 16 Jan: 00:00-06:00 still the red day, RED_HC 12 kWh x 0.1460 = 1.7520; 06:00-07:00 BLUE_HP 2 x 0.1494
    assert kwh_of(days[1]) == {"RED_HC": 12, "BLUE_HP": 2} and days[1].energy_cost == D("2.0508")
    assert days[1].colours == ("RED", "BLUE") and not days[1].estimated


def test_an_unknown_tempo_colour_is_assumed_blue_flagged_and_no_energy_is_dropped():
    known, unknown = date(2025, 2, 9), date(2025, 2, 10)
    (day,) = priced(points(unknown, 1000), TEMPO, colours={known: "BLUE"})
    # 00:00-06:00 BLUE_HC (9 Feb known) 6 kWh + 22:00-24:00 assumed BLUE_HC 2 kWh: 8 x 0.1232 = 0.9856
    # 06:00-22:00 assumed BLUE_HP 16 kWh x 0.1494 = 2.3904; total 3.3760, all 24 kWh priced
    assert kwh_of(day) == {"BLUE_HC": 8, "BLUE_HP": 16} and day.energy_cost == D("3.3760")
    assert day.assumed_colours == ((unknown, "BLUE"),) and day.unknown_days == ((unknown, "TEMPO", "BLUE"),)


# -- EJP (February 2026 grid: normal 0.1781, peak 0.344) ----------------------------------------------------
EJP = offer("EJP", {"ejp_normal": "0.1781", "ejp_peak": "0.344"}, "EJP")


def test_an_ejp_peak_runs_from_7_to_1_the_next_morning_on_a_60_minute_curve():
    blue, red, white = date(2026, 1, 13), date(2026, 1, 14), date(2026, 1, 15)
    curve = points(red, 1000, "06:00", minutes=60) + points(white, 1000, "00:00", "02:00", minutes=60)
    days = priced(curve, EJP, colours={blue: "BLUE", red: "RED", white: "WHITE"})
    # 14 Jan: 06:00-07:00 normal 1 kWh x 0.1781 = 0.1781; 07:00-24:00 peak 17 kWh x 0.344 = 5.848
    assert kwh_of(days[0]) == {"EJP_NORMAL": 1, "EJP_PEAK": 17} and days[0].energy_cost == D("6.0261")
    # 15 Jan: 00:00-01:00 still the EJP day's peak 1 x 0.344; 01:00-02:00 normal 1 x 0.1781 -> 0.5221
    assert kwh_of(days[1]) == {"EJP_PEAK": 1, "EJP_NORMAL": 1} and days[1].energy_cost == D("0.5221")


def test_an_unknown_ejp_day_is_flagged_only_where_red_is_possible():
    white, friday, saturday = date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)
    days = priced(points(friday, 1000) + points(saturday, 1000, "00:00", "02:00"), EJP, colours={white: "WHITE"})
    assert days[0].energy_cost == D("4.2744")  # 24 kWh x 0.1781, assumed not an EJP day
    assert days[0].unknown_days == ((friday, "EJP", "NORMAL"),)
    # Saturday 00:00-01:00 belongs to Friday's EJP day (unknown, flagged); Saturday itself cannot be red
    assert days[1].energy_cost == D("0.3562") and days[1].unknown_days == ((friday, "EJP", "NORMAL"),)


# -- HC_HP: the contract's windows (minutes included) or the offer's own; HC_WEEKEND ------------------------
TARIF_BLEU_HC = {"hp_price": "0.2081", "hc_price": "0.1635"}


def test_a_15_minute_curve_on_the_contract_windows_with_minutes():
    two = parse_windows("HC (1H30-8H00;12H30-14H00)")
    (day,) = priced(points(date(2025, 11, 5), 1000, minutes=15), offer("HC_HP", TARIF_BLEU_HC), two)
    # HC 01:30-08:00 (6.5 h) + 12:30-14:00 (1.5 h) = 8 kWh x 0.1635 = 1.3080; HP 16 kWh x 0.2081 = 3.3296
    assert kwh_of(day) == {"HC": 8, "HP": 16} and day.energy_cost == D("4.6376")


def test_an_hour_straddling_the_offers_own_window_edge_is_split_by_minutes():
    own = {"monday": "22:30-06:30", "saturday": "00:00-24:00"}
    hc = tuple(parse_windows(own[d]) if d in own else None
               for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    offer_ = offer("HC_HP", TARIF_BLEU_HC, hc=hc)
    monday, saturday, sunday = date(2025, 11, 10), date(2025, 11, 8), date(2025, 11, 9)
    curve = (points(saturday, 1000, "12:00", "13:00", 60) + points(sunday, 1000, "12:00", "13:00", 60)
             + points(monday, 1000, "22:00", minutes=60))
    sat, sun, mon = priced(curve, offer_, NIGHT)
    assert kwh_of(sat) == {"HC": 1}  # Saturday's own window: all day off-peak
    assert kwh_of(sun) == {"HP": 1}  # no own window on Sunday: the contract's 22:00-06:00
    # Monday 22:00-23:00: 30 min peak + 30 min off-peak; 23:00-24:00 off-peak
    # HP 0.5 kWh x 0.2081 = 0.10405; HC 1.5 kWh x 0.1635 = 0.24525; total 0.34930
    assert mon.energy == {"HP": 30_000, "HC": 90_000} and mon.energy_cost == D("0.34930")


def test_hc_weekend_uses_the_weekend_pair_on_the_contract_windows():
    zen_we = {"hp_price": "0.2683", "hc_price": "0.1881"}
    friday, saturday = date(2025, 11, 7), date(2025, 11, 8)
    curve = points(friday, 1000) + points(saturday, 1000)
    days = priced(curve, offer("HC_WEEKEND", zen_we | {"hp_price_weekend": "0.1950", "hc_price_weekend": "0.1881"}))
    # Friday: 8 kWh x 0.1881 = 1.5048 + 16 kWh x 0.2683 = 4.2928 -> 5.7976
    assert kwh_of(days[0]) == {"HC": 8, "HP": 16} and days[0].energy_cost == D("5.7976")
    # Saturday: 8 kWh x 0.1881 = 1.5048 + 16 kWh x 0.1950 = 3.1200 -> 4.6248
    assert kwh_of(days[1]) == {"HC_WE": 8, "HP_WE": 16} and days[1].energy_cost == D("4.6248")
    only_hc = priced(curve, offer("HC_WEEKEND", zen_we | {"hc_price_weekend": "0.1881"}))
    assert only_hc[1].energy_cost == D("4.5144")  # no weekend HP price: 24 kWh x 0.1881


# -- Grids in force --------------------------------------------------------------------------------------
def test_a_grid_change_mid_month():
    base = catalog_offer([  # the gateway closes the first grid when the second is published
        CatalogGrid("a", "EDF", "Base", "BASE", 6, D("15.00"), {"base_price": D("0.20")}, date(2025, 8, 1),
                    date(2025, 11, 15)),
        CatalogGrid("b", "EDF", "Base", "BASE", 6, D("16.00"), {"base_price": D("0.18")}, date(2025, 11, 15))])
    before, after = priced(points(date(2025, 11, 14), 1000) + points(date(2025, 11, 15), 1000), base)
    assert before.energy_cost == D("4.80") and after.energy_cost == D("4.32")  # 24 x 0.20, 24 x 0.18
    assert before.subscription == D("15.00") * 12 / 365 and after.subscription == D("16.00") * 12 / 365
    assert before.grid_in_force and after.grid_in_force and not before.estimated


@pytest.mark.parametrize(("day", "grid_from"), [
    (date(2025, 7, 31), date(2025, 8, 1)),  # before the first grid: the first one
    (date(2025, 10, 10), date(2025, 8, 1)),  # 10 days after the first ended, 22 before the next: the first
    (date(2025, 10, 16), date(2025, 8, 1)),  # 16 days either side: the earlier one
    (date(2025, 10, 25), date(2025, 11, 1)),  # 25 days after, 7 before: the next
])
def test_a_day_no_grid_covers_is_priced_with_the_nearest_and_flagged(day, grid_from):
    base = offer("BASE", {"base_price": "0.20"}, grids=((date(2025, 8, 1), date(2025, 10, 1), "15.00"),
                                                        (date(2025, 11, 1), None, "16.00")))
    (cost,) = priced(points(day, 1000), base)
    assert cost.prices_from == grid_from and not cost.grid_in_force and cost.estimated


def test_a_ranking_mixes_regulated_and_catalog_offers_and_counts_the_flagged_days():
    october = [date(2025, 10, d) for d in range(1, 32)]
    unknown = {date(2025, 10, 7), date(2025, 10, 8), date(2025, 10, 9)}
    late_base = offer("BASE", {"base_price": "0.20"}, "Base", grids=((date(2025, 10, 15), None, "15.00"),))
    loads = loads_by_day([p for d in october for p in points(d, 1000)])
    results = {r.key: r for r in simulate_offers(
        loads, [regulated_offer("BASE"), late_base, ZEN_FLEX], lambda day: DayFacts(6, NIGHT), {},
        date(2025, 11, 1), "regulated:BASE", zen_flex={d: "ECO" for d in october if d not in unknown})}
    base, zen = results[late_base.key], results[ZEN_FLEX.key]
    # 30 days of 24 kWh and the 25-hour 26 October: 745 kWh x 0.20 = 149.00; subscription 31 x 15.00 x 12 / 365
    assert base.energy_12_months == D("149.00") and euros(base.last_12_months) == D("164.29")  # 149 + 15.2877
    assert base.nearest_grid_days == 14 and base.unknown_calendar_days == 0  # 1-14 October: before its grid
    # Zen Flex: 27 Éco days x 4.0460 = 109.2420, 26 October (18 kWh HC + 7 kWh HP) 4.1979, 3 unknown days priced
    # Sobriété 3 x 8.6318 = 25.8954: 139.3353
    assert zen.energy_12_months == D("139.3353") and zen.unknown_calendar_days == 3 and zen.nearest_grid_days == 0
    assert results["regulated:BASE"].savings == 0 and base.savings == results["regulated:BASE"].last_12_months - \
        base.last_12_months
