"""Correctness suite: hand-computed costs (the arithmetic is written next to each expected value)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from myelectricaldata.energy.costs import DayFacts, by_period, euros, price_days, price_hours, subscription_share
from myelectricaldata.energy.day_loads import loads_by_day, pack_intervals, unpack_intervals
from myelectricaldata.energy.offers import offer_from_dict, regulated_offer
from myelectricaldata.energy.offpeak import parse_windows
from myelectricaldata.energy.timeline import PARIS
from tests.support.curves import points

NIGHT = parse_windows("HC (22H00-6H00)")
BASE, HPHC, TEMPO = (regulated_offer(o) for o in ("BASE", "HPHC", "TEMPO"))


def facts(kva: int = 9, offpeak=NIGHT):
    return lambda day: DayFacts(kva, offpeak)


def one(days):
    assert len(days) == 1
    return days[0]


def test_dst_spring_day_hphc():
    day = one(price_days(loads_by_day(points(date(2025, 3, 30), 1000)), HPHC, facts()))
    # 23 h day: HC 00:00-02:00 (120 min) + 03:00-06:00 (180) + 22:00-24:00 (120) = 420 min; HP 1380 - 420 = 960 min
    assert day.energy == {"HC": 1000 * 420, "HP": 1000 * 960}  # watt-minutes: 7 kWh and 16 kWh
    # prices of 2025-02-01: 7 x 0.1696 + 16 x 0.2146 = 1.1872 + 3.4336 = 4.6208
    assert day.energy_cost == D("4.6208")
    assert day.subscription == D("18.01") * 12 / 365  # 9 kVA HP/HC, monthly x 12 / 365
    assert euros(day.total) == euros(D("4.6208") + D("18.01") * 12 / 365) == D("5.21")  # 4.6208 + 0.59211 = 5.2129


def test_dst_autumn_day_hphc():
    day = one(price_days(loads_by_day(points(date(2025, 10, 26), 1000)), HPHC, facts()))
    # 25 h day: HC 00:00-06:00 runs 7 h (02:00-03:00 twice) = 420 min + 22:00-24:00 120 = 540 min; HP 960 min
    assert day.energy == {"HC": 540_000, "HP": 960_000}  # 9 kWh, 16 kWh
    # prices of 2025-08-01: 9 x 0.1635 + 16 x 0.2081 = 1.4715 + 3.3296 = 4.8011
    assert day.energy_cost == D("4.8011")


def test_tempo_night_across_a_colour_change():
    white, red = date(2025, 1, 14), date(2025, 1, 15)
    curve = points(white, 2000, "23:00") + points(red, 2000, "00:00", "07:00")
    days = price_days(loads_by_day(curve), TEMPO, facts(), {white: "WHITE", red: "RED", date(2025, 1, 13): "BLUE"})
    first, second = days
    # 14 Jan 23:00-24:00: 2 kWh at WHITE_HC 0.1486 = 0.2972
    assert first.energy["WHITE_HC"] == 120_000 and first.energy_cost == D("0.2972")
    # 15 Jan 00:00-06:00 is still the WHITE Tempo day: 12 kWh x 0.1486 = 1.7832; 06:00-07:00 RED_HP: 2 x 0.7562 = 1.5124
    assert second.energy["WHITE_HC"] == 720_000 and second.energy["RED_HP"] == 120_000
    assert second.energy["RED_HC"] == 0
    assert second.energy_cost == D("1.7832") + D("1.5124") == D("3.2956")
    assert not second.estimated and second.colours == ("WHITE", "RED")


def test_price_change_on_1_february():
    curve = points(date(2025, 1, 31), 1000) + points(date(2025, 2, 1), 1000)
    jan, feb = price_days(loads_by_day(curve), BASE, facts(6))
    assert jan.energy_cost == 24 * D("0.2516") == D("6.0384")  # 24 kWh at the 2024 price
    assert feb.energy_cost == 24 * D("0.2016") == D("4.8384")  # 24 kWh at the 2025-02-01 price
    assert jan.subscription == D("12.68") * 12 / 365 and feb.subscription == D("13.72") * 12 / 365
    month = by_period([jan, feb], "month")
    assert [p.start for p in month] == [date(2025, 1, 1), date(2025, 2, 1)]
    total = by_period([jan, feb], "year")[0].total
    # displayed total = rounded sum of unrounded parts: 6.0384 + 4.8384 + (12.68 + 13.72) x 12 / 365 = 11.7447...
    assert euros(total) == euros(D("10.8768") + D("26.40") * 12 / 365) == D("11.74")
    [year] = by_period([jan, feb, price_days(loads_by_day(points(date(2025, 2, 2), 1000)), TEMPO, facts(6),
                                             {date(2025, 2, 2): "BLUE", date(2025, 2, 1): "BLUE"})[0]], "year")
    assert year.days == 3 and year.offer_keys == {BASE.key, TEMPO.key}  # the offers a period's days were priced with


def test_two_offpeak_windows():
    two = parse_windows("HC (1H30-8H00;12H30-14H00)")
    day = one(price_days(loads_by_day(points(date(2025, 11, 5), 1000)), HPHC, facts(9, two)))
    # HC 01:30-08:00 (390 min) + 12:30-14:00 (90 min) = 480 min = 8 kWh; HP 16 kWh
    assert day.energy == {"HC": 480_000, "HP": 960_000}
    assert day.energy_cost == 8 * D("0.1635") + 16 * D("0.2081") == D("4.6376")  # 1.308 + 3.3296


def test_whole_day_offpeak():
    whole = parse_windows("HC (0H00-24H00)")
    assert whole == parse_windows("HC 00H00-00H00") == ((0, 1440),)
    day = one(price_days(loads_by_day(points(date(2025, 11, 5), 1000)), HPHC, facts(9, whole)))
    assert day.energy == {"HC": 1_440_000, "HP": 0}
    assert day.energy_cost == 24 * D("0.1635") == D("3.9240")


def test_missing_tempo_day_is_estimated_blue():
    day = one(price_days(loads_by_day(points(date(2025, 11, 5), 1000)), TEMPO, facts(),
                         {date(2025, 11, 4): "BLUE"}))
    assert day.estimated and day.assumed_colours == ((date(2025, 11, 5), "BLUE"),)
    # 00:00-06:00 BLUE_HC (4 Nov known) 6 kWh + 22:00-24:00 assumed BLUE_HC 2 kWh = 8 kWh x 0.1232 = 0.9856
    # 06:00-22:00 assumed BLUE_HP 16 kWh x 0.1494 = 2.3904; total 3.3760
    assert day.energy["BLUE_HC"] == 480_000 and day.energy["BLUE_HP"] == 960_000
    assert day.energy_cost == D("3.3760")


def test_2026_base_price_depends_on_kva():
    loads = loads_by_day(points(date(2026, 2, 10), 1000))
    six, nine = one(price_days(loads, BASE, facts(6))), one(price_days(loads, BASE, facts(9)))
    assert six.energy_cost == 24 * D("0.1940") == D("4.6560")
    assert nine.energy_cost == 24 * D("0.1927") == D("4.6248")
    assert six.subscription == D("15.65") * 12 / 365 and nine.subscription == D("19.56") * 12 / 365


def test_decimal_comma_offer():
    offer = offer_from_dict({"name": "Mon offre", "kind": "BASE", "unit": "c€/kWh",
                             "versions": [{"valid_from": "2025-01-01", "energy": {"BASE": "25,5"},
                                           "subscription": "12,34"}]}, "user:1")
    day = one(price_days(loads_by_day(points(date(2025, 11, 5), 1000)), offer, facts()))
    assert day.energy_cost == 24 * D("0.255") == D("6.120")  # 25,5 c€/kWh = 0.255 €/kWh
    assert day.subscription == D("12.34") * 12 / 365


def test_production_revenue():
    made = loads_by_day(points(date(2025, 6, 21), 1000, "12:00", "15:00"))
    day = one(price_days({}, BASE, facts(), production={d: load.total for d, load in made.items()},
                         buyback=D("0.1276")))
    # 6 points x 1000 W x 30 min = 180 000 watt-minutes = 3 kWh; 3 x 0.1276 = 0.3828
    assert day.production == 180_000 and day.revenue == D("0.3828")


def test_contract_change_prices_each_side_with_its_own_windows():
    before, after = parse_windows("HC (22H00-6H00)"), parse_windows("HC (2H00-7H00;13H00-16H00)")
    changed = date(2025, 11, 15)
    curve = points(date(2025, 11, 14), 1000, "22:00") + points(changed, 1000, "22:00")
    old, new = price_days(loads_by_day(curve), HPHC,
                          lambda d: DayFacts(9, before if d < changed else after))
    assert old.energy == {"HC": 120_000, "HP": 0}  # 22:00-24:00 was off-peak: 2 kWh x 0.1635 = 0.3270
    assert new.energy == {"HC": 0, "HP": 120_000}  # after the reform it is peak: 2 kWh x 0.2081 = 0.4162
    assert (old.energy_cost, new.energy_cost) == (D("0.3270"), D("0.4162"))


def test_weekday_override_beats_the_contract():
    day = date(2025, 11, 8)  # a Saturday
    priced = one(price_days(loads_by_day(points(day, 1000)), HPHC, facts(),
                            overrides={5: parse_windows("0:00-24:00")}))
    assert priced.energy == {"HC": 1_440_000, "HP": 0}


def test_subscription_share_uses_days_of_the_year():
    assert subscription_share(D("15.00"), date(2024, 3, 1)) == D("180") / 366
    assert subscription_share(D("15.00"), date(2025, 3, 1)) == D("180") / 365


def test_custom_rules_with_weekdays():
    offer = offer_from_dict({"name": "Week-end", "kind": "CUSTOM", "default_period": "SEMAINE",
                             "rules": [{"weekdays": [5, 6], "hours": "00:00-24:00", "period": "WEEKEND"}],
                             "versions": [{"energy": {"SEMAINE": "0.20", "WEEKEND": "0.10"}, "subscription": "10"}]})
    curve = points(date(2025, 11, 7), 1000) + points(date(2025, 11, 8), 1000)  # Friday, Saturday
    friday, saturday = price_days(loads_by_day(curve), offer, facts())
    assert friday.energy == {"SEMAINE": 1_440_000} and friday.energy_cost == D("4.80")  # 24 x 0.20
    assert saturday.energy == {"WEEKEND": 1_440_000} and saturday.energy_cost == D("2.40")  # 24 x 0.10


def test_hours_of_the_autumn_day_are_25_utc_hours():
    day = date(2025, 10, 26)
    hours = price_hours(points(day, 1000), HPHC, facts())
    assert len(hours) == 25
    starts = [h.start_utc for h in hours]
    assert starts == list(range(starts[0], starts[0] + 25 * 3600, 3600))  # every UTC hour once, none merged
    # the two 02:00 wall-clock hours (00:00 and 01:00 UTC) are both off-peak: 1000 W x 60 min each
    repeated = [h for h in hours if datetime.fromtimestamp(h.start_utc, PARIS).hour == 2]
    assert [h.energy for h in repeated] == [{"HP": 0, "HC": 60_000}, {"HP": 0, "HC": 60_000}]
    # 08:00 is peak: 1 kWh at the 2025-08-01 HP price 0.2081
    eight = next(h for h in hours if datetime.fromtimestamp(h.start_utc, PARIS).hour == 8)
    assert eight.energy == {"HP": 60_000, "HC": 0} and eight.energy_cost == D("0.2081")


def test_hours_add_up_to_the_day_on_the_spring_day():
    day = date(2025, 3, 30)
    curve = points(day, 1000) + points(day, 500, "21:00", "23:00")
    hours = price_hours(curve, HPHC, facts())
    whole = one(price_days(loads_by_day(curve), HPHC, facts()))
    assert len(hours) == 23
    for slot in ("HP", "HC"):
        assert sum(h.energy[slot] for h in hours) == whole.energy[slot]
        assert sum(h.costs[slot] for h in hours) == whole.costs[slot]
    # 22:00-23:00: two points of 1500 W, off-peak: 1.5 kWh x 0.1696 (prices of 2025-02-01) = 0.2544
    late = next(h for h in hours if datetime.fromtimestamp(h.start_utc, PARIS).hour == 22)
    assert late.energy == {"HP": 0, "HC": 90_000} and late.energy_cost == D("0.2544")


def test_tempo_hours_before_six_take_the_previous_days_colour():
    white, red = date(2025, 1, 14), date(2025, 1, 15)
    curve = points(red, 2000, "05:00", "07:00")
    hours = price_hours(curve, TEMPO, facts(), {white: "WHITE", red: "RED"})
    five, six = hours
    # 05:00-06:00 belongs to the white day's night: 2 kWh WHITE_HC; 06:00-07:00 is a red peak hour: 2 kWh RED_HP
    assert {k: v for k, v in five.energy.items() if v} == {"WHITE_HC": 120_000}
    assert {k: v for k, v in six.energy.items() if v} == {"RED_HP": 120_000}
    assert five.day == six.day == red


def test_hour_revenue_of_production():
    day = date(2025, 6, 1)
    made = points(day, 3000, "12:00", "13:00")
    hours = price_hours([], BASE, facts(), production=made, buyback=D("0.04"))
    (noon,) = hours
    # 3000 W for 60 min = 3 kWh x 0.04 EUR = 0.12 EUR
    assert noon.production == 180_000 and noon.revenue == D("0.12") and noon.consumed == 0


def test_one_pass_grouping_of_a_23_hour_day():
    # 2025-03-30 starts at 2025-03-29 23:00 UTC and ends at 2025-03-30 22:00 UTC: 46 half-hours. 01:00 UTC is
    # 03:00 local: the wall clock jumps from 01:30 (minute 90) to 03:00 (minute 180)
    first = int(datetime(2025, 3, 29, 23, tzinfo=UTC).timestamp())
    curve = [(first + 1800 * i, 30, 100 + i) for i in range(46)]
    [(day, load)] = loads_by_day(curve).items()
    assert day == date(2025, 3, 30) and len(load.watts) == 46
    assert load.watts[(0, 30)] == 100 and load.watts[(90, 30)] == 103  # 00:00 and 01:30 local
    assert (120, 30) not in load.watts and (150, 30) not in load.watts  # 02:00 and 02:30 do not exist
    assert load.watts[(180, 30)] == 104 and load.watts[(1410, 30)] == 145  # 03:00 and 23:30 local
    assert load.total == 30 * sum(range(100, 146))  # 46 points of 100..145 W x 30 min = 30 x 5,635 Wmin


def test_one_pass_grouping_of_a_25_hour_day_sums_the_repeated_hour():
    # 2025-10-26 starts at 2025-10-25 22:00 UTC and ends at 2025-10-26 23:00 UTC: 50 half-hours; 00:00 and
    # 01:00 UTC are both 02:00 local (summer, then winter time): their watts are summed on the wall clock's 02:00
    first = int(datetime(2025, 10, 25, 22, tzinfo=UTC).timestamp())
    curve = [(first + 1800 * i, 30, 10 * i) for i in range(50)]
    days = loads_by_day(curve)
    load = days[date(2025, 10, 26)]
    assert list(days) == [date(2025, 10, 26)] and len(load.watts) == 48
    assert load.watts[(120, 30)] == 40 + 60  # points 4 (00:00 UTC) and 6 (01:00 UTC)
    assert load.watts[(150, 30)] == 50 + 70  # points 5 and 7
    assert load.watts[(180, 30)] == 80 and load.watts[(1410, 30)] == 490  # 03:00 (02:00 UTC) and 23:30 (22:30 UTC)
    assert load.total == 30 * 10 * sum(range(50))  # 30 x 12,250 Wmin


def test_one_pass_grouping_around_the_tempo_six_oclock_boundary_and_midnight():
    # 15 Jan 2025, winter time (UTC+1): 04:30 UTC is 05:30 local (the night of the day before's Tempo colour),
    # 05:00 UTC is 06:00 (the day's own colour); 22:30 UTC is 23:30 on the 15th, 23:00 UTC is 00:00 on the 16th
    at = lambda hour, minute, day=15: int(datetime(2025, 1, day, hour, minute, tzinfo=UTC).timestamp())  # noqa: E731
    days = loads_by_day([(at(4, 30), 30, 1000), (at(5, 0), 30, 2000), (at(22, 30), 30, 3000), (at(23, 0), 30, 4000)])
    assert days[date(2025, 1, 15)].watts == {(330, 30): 1000, (360, 30): 2000, (1410, 30): 3000}
    assert days[date(2025, 1, 16)].watts == {(0, 30): 4000}
    white, red = date(2025, 1, 14), date(2025, 1, 15)
    [day] = [d for d in price_days(days, TEMPO, facts(), {white: "WHITE", red: "RED"}) if d.day == red]
    # 05:30-06:00 WHITE_HC 0.5 kWh (30,000 Wmin); 06:00-06:30 RED_HP 1 kWh; 23:30-24:00 RED_HC 1.5 kWh
    assert {slot: wm for slot, wm in day.energy.items() if wm} == {"WHITE_HC": 30_000, "RED_HP": 60_000,
                                                                   "RED_HC": 90_000}
    # 0.5 kWh x 0.1486 = 0.0743 at the white night's price; 1 kWh x 0.7562 at the red peak price
    assert (day.costs["WHITE_HC"], day.costs["RED_HP"]) == (D("0.0743"), D("0.7562"))


def test_one_pass_grouping_equals_the_zone_clock_at_every_quarter_hour_of_a_year():
    first = int(datetime(2024, 12, 31, 23, tzinfo=UTC).timestamp())
    curve = [(s, 15, 1) for s in range(first, first + 366 * 86400, 900)]
    expected: dict = {}
    for s, _, _ in curve:
        local = datetime.fromtimestamp(s, PARIS)
        key = (local.date(), (local.hour * 60 + local.minute, 15))
        expected[key] = expected.get(key, 0) + 1
    days = loads_by_day(curve)
    assert {(day, key): w for day, load in days.items() for key, w in load.watts.items()} == expected
    assert len(days) == 366 and sum(load.total for load in days.values()) == 15 * len(curve)


def test_even_days_a_day_with_a_gap_and_points_out_of_order_group_alike():
    # 15 Jan 2025 (UTC+1) starts at 14 Jan 23:00 UTC: 48 half-hours of 100..147 W; on the 16th the 10:00 local
    # point (09:00 UTC, the 21st of the day) is missing and the others are 200 W
    first = int(datetime(2025, 1, 14, 23, tzinfo=UTC).timestamp())
    even = [(first + 1800 * i, 30, 100 + i) for i in range(48)]
    gap = [(first + 86400 + 1800 * i, 30, 200) for i in range(48) if i != 20]
    days = loads_by_day(even + gap)
    assert days[date(2025, 1, 15)].watts == {(30 * i, 30): 100 + i for i in range(48)}
    assert days[date(2025, 1, 15)].total == 30 * sum(range(100, 148))  # 30 x 5,928 = 177,840 Wmin
    assert days[date(2025, 1, 16)].watts == {(30 * i, 30): 200 for i in range(48) if i != 20}
    assert days[date(2025, 1, 16)].total == 30 * 47 * 200  # 282,000 Wmin
    assert loads_by_day(list(reversed(even + gap))) == days
    assert loads_by_day(even + gap + [(first, 30, 5)])[date(2025, 1, 15)].watts[(0, 30)] == 105  # a start twice


def test_days_of_one_shape_pack_their_own_watts():
    first = int(datetime(2025, 1, 14, 23, tzinfo=UTC).timestamp())
    days = loads_by_day([(first + 1800 * i, 30, 7 if i < 48 else 9) for i in range(96)])
    one_day, other = days[date(2025, 1, 15)], days[date(2025, 1, 16)]
    assert one_day.shape()[0] == other.shape()[0]  # same keys
    assert unpack_intervals(pack_intervals(one_day), 48 * 30 * 7) == one_day
    assert unpack_intervals(pack_intervals(other), 48 * 30 * 9) == other
    assert unpack_intervals(pack_intervals(one_day), 10_080).watts == {(30 * i, 30): 7 for i in range(48)}
