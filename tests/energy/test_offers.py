"""Offers: price input in every unit and with a comma, windows, validation naming the field."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from myelectricaldata.energy.offers import (
    OfferError,
    format_windows,
    offer_from_dict,
    offer_to_dict,
    parse_price,
    parse_windows,
    regulated_offer,
)


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("0,1952", "€/kWh", "0.1952"), ("0.1952", "€/kWh", "0.1952"), ("19,52", "c€/kWh", "0.1952"),
    ("195,2", "€/MWh", "0.1952"), ("19,52 c€/kWh", "€/kWh", "0.1952"), ("195.2 €/MWh", "€/kWh", "0.1952"),
])
def test_prices_in_every_unit(text, unit, expected):
    assert parse_price(text, "price", unit) == D(expected)


@pytest.mark.parametrize("text", ["-0,1", "abc", "1,2,3", "", "nan"])
def test_bad_prices_name_the_field(text):
    with pytest.raises(ValueError, match=r"^versions\[0\]\.energy\.HP: "):
        parse_price(text, "versions[0].energy.HP")


def test_windows_variants():
    assert parse_windows("HC (22H00-6H00)") == ((0, 360), (1320, 1440))
    assert parse_windows("hc (1h30-8h00;12H30-14h00)") == ((90, 480), (750, 840))
    assert parse_windows("HC 00H00-24H00") == ((0, 1440),)
    assert format_windows(parse_windows("22:00-06:00")) == "22:00-06:00"
    with pytest.raises(ValueError, match=r"^offpeak: "):
        parse_windows("22H00-6", "offpeak")
    with pytest.raises(ValueError, match=r"^offpeak: "):
        parse_windows("25H00-6H00", "offpeak")


def good() -> dict:
    return {"name": "Mon HC", "kind": "HPHC", "offpeak": "HC (23H00-7H00)", "buyback": "0,13",
            "versions": [{"valid_from": "2025-01-01", "energy": {"HP": "0,25", "HC": "0,18"},
                          "subscription": {"6": "15,00", "9": "19,00"}}]}


def test_round_trip():
    offer = offer_from_dict(good(), "user:1")
    assert offer.offpeak == ((0, 420), (1380, 1440)) and offer.buyback == D("0.13")
    assert offer.versions[0].monthly(9) == D("19.00") and offer.versions[0].monthly(12) is None
    assert offer_from_dict(offer_to_dict(offer), "user:1") == offer


def test_bad_offer_names_each_field():
    raw = good() | {"kind": "HPHC", "offpeak": "22H-?"}
    raw["versions"][0]["energy"]["HP"] = "-0,2"
    with pytest.raises(OfferError) as err:
        offer_from_dict(raw)
    assert set(err.value.errors) == {"offpeak", "versions[0].energy.HP"}
    with pytest.raises(OfferError) as err:
        offer_from_dict(good() | {"kind": "EJP"})
    assert "kind" in err.value.errors and "unknown option" in err.value.errors["kind"]


def test_regulated_offers():
    assert regulated_offer("TEMPO").slots[0] == "BLUE_HP"
    assert regulated_offer("HPHC").key == "regulated:HPHC"
