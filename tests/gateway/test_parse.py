"""Parsers on the literal payloads quoted in the reference notes and the Enedis OpenAPI examples."""

import itertools
from datetime import UTC, date, datetime

import pytest

from myelectricaldata.gateway import parse
from myelectricaldata.gateway.errors import UnexpectedPayload
from tests.support.fixtures import fixture_json


def example_of(schema: dict) -> object:
    """An instance built from the ``example`` values of an OpenAPI (swagger 2) schema."""
    if "example" in schema:
        return schema["example"]
    if schema.get("type") == "array" or "items" in schema:
        return [example_of(schema["items"])]
    return {k: example_of(v) for k, v in schema.get("properties", {}).items()}


def openapi_example(name: str) -> object:
    doc = fixture_json("enedis-openapi", name)
    (path,) = doc["paths"].values()
    return example_of(path["get"]["responses"]["200"]["schema"])


def test_daily_fixture():
    assert parse.parse_daily(fixture_json("gateway", "daily.json")) == [
        parse.DailyValue(date(2022, 3, 8), 42045), parse.DailyValue(date(2022, 3, 9), 32464)]


def test_daily_inside_v2_envelope_data():
    body = fixture_json("gateway", "envelope_daily.json")
    assert parse.parse_daily(body["data"]) == [parse.DailyValue(date(2022, 3, 8), 42045)]


def test_load_curve_fixture_is_read_as_interval_start_local_time():
    points = parse.parse_load_curve(fixture_json("gateway", "detail.json"))
    # 2023-03-01 00:30 Paris (UTC+1) is 2023-02-28 23:30 UTC
    assert points[0] == parse.CurvePoint(int(datetime(2023, 2, 28, 23, 30, tzinfo=UTC).timestamp()), 30, 1344,
                                         date(2023, 3, 1))
    assert points[1].watts == 1248 and points[1].start - points[0].start == 1800


@pytest.mark.parametrize("name", ["03-metering-consommation-daily.json", "06-metering-production-daily.json"])
def test_enedis_openapi_daily_examples(name):
    assert parse.parse_daily(openapi_example(name)) == [parse.DailyValue(date(2019, 5, 6), 540)]


@pytest.mark.parametrize("name", ["04-metering-consommation-detail.json", "07-metering-production-detail.json"])
def test_enedis_openapi_curve_examples(name):
    (point,) = parse.parse_load_curve(openapi_example(name))
    assert point.watts == 540 and point.minutes == 30 and point.day == date(2019, 5, 6)
    assert point.start == int(datetime(2019, 5, 6, 1, 0, tzinfo=UTC).timestamp())  # 03:00 CEST


def test_enedis_openapi_max_power_example():
    (mp,) = parse.parse_max_power(openapi_example("05-metering-power.json"))
    assert mp == parse.MaxPower(date(2019, 5, 6), 540, int(datetime(2019, 5, 6, 1, 0, tzinfo=UTC).timestamp()))


def test_contract_fixture():
    facts = parse.parse_contract(fixture_json("gateway", "contract.json"), "01234567890")
    assert facts.subscribed_kva == 9
    assert facts.offpeak_hours == "01:30-08:00;12:30-14:00"
    assert facts.offpeak_raw == "HC (1H30-8H00;12H30-14H00)"
    assert facts.distribution_tariff == "BTINFMUDT"
    assert facts.last_activation_date == date(2006, 5, 24)
    assert facts.last_tariff_change_date == date(2019, 9, 13)


def test_enedis_openapi_contract_example():
    facts = parse.parse_contract(openapi_example("08-contract.json"), "12345678910123")
    assert (facts.subscribed_kva, facts.offpeak_hours) == (9, "23:00-07:30")
    assert facts.last_activation_date == date(2013, 8, 14)


def test_address_fixtures():
    a = parse.parse_address(fixture_json("gateway", "address.json"), "01234567890")
    assert (a.street, a.postal_code, a.city, a.locality, a.latitude) == ("1 rue paul bismuth", "00666", "XX YY", "", "")
    b = parse.parse_address(openapi_example("09-address.json"), "12345678910123")
    assert (b.city, b.latitude, b.longitude) == ("Maulichères", "43.687253", "-0.087957")


def test_decimal_commas_and_spaces_are_tolerated():
    data = {"meter_reading": {"interval_reading": [{"value": "1 234,5", "date": "2024-01-02"},
                                                   {"value": 77.4, "date": "2024-01-03"}]}}
    assert [v.value for v in parse.parse_daily(data)] == [1234, 77]  # half to even, then nearest


def test_bad_value_names_the_day_and_the_value():
    data = {"meter_reading": {"interval_reading": [{"value": "n/a", "date": "2024-01-02"}]}}
    with pytest.raises(UnexpectedPayload, match=r"2024-01-02.*'n/a'"):
        parse.parse_daily(data)


def test_fall_back_day_keeps_both_repeated_half_hours():
    items = [{"value": str(100 + n), "date": f"2025-10-26 {h}:00", "interval_length": "PT30M"}
             for n, h in enumerate(["01:30", "02:00", "02:30", "02:00", "02:30", "03:00"])]
    points = parse.parse_load_curve({"meter_reading": {"interval_reading": items}})
    assert len(points) == 6
    assert [p.watts for p in points] == [100, 101, 102, 103, 104, 105]
    assert all(b.start - a.start == 1800 for a, b in itertools.pairwise(points))


def test_tempo_colours_case_and_french_names():
    data = [{"date": "2025-01-02", "color": "red"}, {"date": "2025-01-03", "color": "Blanc"},
            {"date": "2025-01-04", "color": "BLUE"}, {"date": "2025-01-05", "color": "UNKNOWN"}]
    assert parse.parse_tempo(data) == [(date(2025, 1, 2), "RED"), (date(2025, 1, 3), "WHITE"),
                                       (date(2025, 1, 4), "BLUE")]


def test_ecowatt_rte_sandbox_payload_defaults_missing_hours_to_green():
    (day,) = parse.parse_ecowatt(fixture_json("gateway", "ecowatt_rte_sandbox.json")["signals"])
    assert day.day == date(2022, 6, 6) and day.level == 1 and day.message == "Pas d’alerte"
    assert day.hours[:3] == (0, 0, 1) and day.hours[3:] == (1,) * 21


def test_usage_point_list_rejects_bad_pdl():
    with pytest.raises(UnexpectedPayload, match="14 digits"):
        parse.parse_usage_points([{"usage_point_id": "1234"}])
    (info,) = parse.parse_usage_points([{"usage_point_id": "12345678901234", "pricing_option": "hc/hp",
                                         "has_production": True, "activation_date": "2015-03-12"}])
    assert info.pricing_option == "HC_HP" and info.has_production and info.activation_date == date(2015, 3, 12)


def curve(stamps: list[str], day: str) -> list[parse.CurvePoint]:
    items = [{"value": str(100 + n), "date": f"{day} {t}:00", "interval_length": "PT30M"} for n, t in enumerate(stamps)]
    return parse.parse_load_curve({"meter_reading": {"interval_reading": items}})


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_fall_back_day_as_the_gateway_stamps_it():
    # Enedis end-stamps moved back 30 min on the wall clock: 01:30 and 02:00 come twice
    points = curve(["01:00", "01:30", "02:00", "01:30", "02:00", "02:30", "03:00"], "2025-10-26")
    assert [p.start for p in points] == [utc("2025-10-25 23:00"), utc("2025-10-25 23:30"), utc("2025-10-26 00:00"),
                                         utc("2025-10-26 00:30"), utc("2025-10-26 01:00"), utc("2025-10-26 01:30"),
                                         utc("2025-10-26 02:00")]
    assert [p.watts for p in points] == [100, 101, 102, 103, 104, 105, 106]


def test_spring_forward_day_as_the_gateway_stamps_it():
    # the interval 01:30 CET -> 03:00 CEST is stamped "02:30", a wall time that never existed
    points = curve(["01:00", "02:30", "03:00"], "2025-03-30")
    assert [p.start for p in points] == [utc("2025-03-30 00:00"), utc("2025-03-30 00:30"), utc("2025-03-30 01:00")]
    assert [p.watts for p in points] == [100, 101, 102]
    assert all(p.day == date(2025, 3, 30) for p in points)


def test_spring_forward_day_stamped_with_true_starts():
    points = curve(["01:00", "01:30", "03:00"], "2025-03-30")
    assert [p.start for p in points] == [utc("2025-03-30 00:00"), utc("2025-03-30 00:30"), utc("2025-03-30 01:00")]


@pytest.mark.parametrize(("fn", "data"), [
    (parse.parse_usage_points, ["99000000000001"]),
    (parse.parse_tempo, [None]),
    (parse.parse_ecowatt, {"periode": "2025-01-01"}),
    (parse.parse_daily, {"meter_reading": {"interval_reading": ["42045"]}}),
    (lambda d: parse.parse_contract(d, "1"), {"customer": {"usage_points": "x"}}),
])
def test_wrong_shapes_inside_a_valid_envelope_are_named(fn, data):
    with pytest.raises(UnexpectedPayload, match="expected"):
        fn(data)


@pytest.mark.parametrize(("raw", "limit", "lines", "expected"), [
    ("\x00Dup\x00ont\x07\x1b\x7f\x85\ud800", None, False, "Dupont"),  # C0, DEL, C1 and a lone surrogate dropped
    ("  14 rue\tOberkampf\r\nbis \u2028", None, False, "14 rue Oberkampf  bis"),  # breaks become spaces
    ("Vigilance\r\n\tcoupures\x00", None, True, "Vigilance\n\tcoupures"),  # a multi-line field keeps \n and \t
    ("Électricité ⚡ 😀 <b>", None, False, "Électricité ⚡ 😀 <b>"),  # text itself is never touched
    ("Appartement Paris", 11, False, "Appartement"),
    ("Rue de la Paix", 4, False, "Rue"),  # cut, then no trailing blank
    (None, 10, False, ""),
    (75011, 10, False, "75011"),
])
def test_gateway_text_is_cleaned_and_cut(raw, limit, lines, expected):
    assert parse.text(raw, limit, lines=lines) == expected


def test_nul_in_every_stored_field_is_dropped_by_the_parsers():
    pdl = "99000000000001"
    (info,) = parse.parse_usage_points([{"usage_point_id": pdl, "name": "Mai\x00son", "pricing_option": "hc\x00_hp"}])
    assert (info.name, info.pricing_option) == ("Maison", "HC_HP")
    point = {"usage_point": {"usage_point_id": pdl, "usage_point_addresses": {
        "street": "1 rue\x00 A", "locality": "\x00", "postal_code": "75\x00011", "insee_code": "75111\x00",
        "city": "PARIS\x00", "country": "France\x00", "geo_points": {"latitude": "48.8\x00", "longitude": "\x002.3"}}}}
    assert parse.parse_address({"customer": {"usage_points": [point]}}, pdl) == parse.AddressFacts(
        "1 rue A", "", "75011", "75111", "PARIS", "France", "48.8", "2.3")
    contract = {"usage_point": {"usage_point_id": pdl}, "contracts": {
        "subscribed_power": "9 kVA", "offpeak_hours": "HC (22H00\x00-6H00)", "distribution_tariff": "BTINF\x00CU4",
        "contract_status": "SERVC\x00"}}
    facts = parse.parse_contract({"customer": {"usage_points": [contract]}}, pdl)
    assert (facts.offpeak_hours, facts.offpeak_raw, facts.distribution_tariff, facts.contract_status) == (
        "22:00-06:00", "HC (22H00-6H00)", "BTINFCU4", "SERVC")
    (day,) = parse.parse_ecowatt([{"periode": "2025-01-01", "dvalue": 1, "message": "Pas\x00 d'alerte\r\n"}])
    assert day.message == "Pas d'alerte"
