"""Simulated households: who lives behind each usage point and what their contract says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PRICING_OPTIONS = ("BASE", "HC_HP", "TEMPO")
HEATING_KINDS = ("electric", "heat_pump", "gas")
_WINDOW = re.compile(r"(\d{1,2})[hH](\d{2})?\s*-\s*(\d{1,2})[hH](\d{2})?")


@dataclass(frozen=True)
class Household:
    """One Linky usage point with the home and contract that shape its data."""

    usage_point_id: str
    name: str
    pricing_option: str
    subscribed_kva: int
    offpeak_hours: str | None = None
    heating: str = "gas"
    water_heater: bool = True
    pv_kwc: float = 0.0
    activation_date: date = date(2015, 3, 12)
    interval_minutes: int = 30
    gap_days: frozenset[date] = frozenset()
    occupants: int = 2
    street: str = "1 rue de la Roquette"
    city: str = "PARIS"
    postal_code: str = "75011"
    insee_code: str = "75111"
    latitude: float = 48.8534
    longitude: float = 2.3713
    altitude: int = 42
    selected_offer: tuple[str, str, str] | None = None  # (supplier, offer, type) chosen on the gateway, if any
    buyback: str = ""  # EUR/kWh paid for the energy injected (a PV house's surplus sale), set by the demo

    def __post_init__(self) -> None:
        if not (len(self.usage_point_id) == 14 and self.usage_point_id.isdigit()):
            raise ValueError(f"usage_point_id {self.usage_point_id!r}: expected 14 digits")
        if self.pricing_option not in PRICING_OPTIONS:
            raise ValueError(f"pricing_option {self.pricing_option!r}: expected one of {PRICING_OPTIONS}")
        if self.heating not in HEATING_KINDS:
            raise ValueError(f"heating {self.heating!r}: expected one of {HEATING_KINDS}")
        if self.interval_minutes <= 0 or 1440 % self.interval_minutes:
            raise ValueError(f"interval_minutes {self.interval_minutes}: must divide a day")
        if self.offpeak_hours is not None and not offpeak_windows(self.offpeak_hours):
            raise ValueError(f"offpeak_hours {self.offpeak_hours!r}: expected 'HC (22H00-6H00)' style")

    @property
    def has_production(self) -> bool:
        """Whether the home injects a PV surplus into the grid."""
        return self.pv_kwc > 0


def offpeak_windows(text: str | None) -> list[tuple[int, int]]:
    """Off-peak windows as (start, end) minutes after local midnight; end < start wraps past midnight."""
    if not text:
        return []
    windows = []
    for h1, m1, h2, m2 in _WINDOW.findall(text):
        start = int(h1) * 60 + int(m1 or 0)
        end = int(h2) * 60 + int(m2 or 0)
        windows.append((start % 1440, end % 1440))
    return windows


def window_length(window: tuple[int, int]) -> int:
    """Minutes covered by an off-peak window, wrapping past midnight if needed."""
    start, end = window
    return (end - start) % 1440 or 1440


DEMO_HOUSEHOLDS: tuple[Household, ...] = (
    Household(
        usage_point_id="99000000000001",
        name="Appartement Paris",
        pricing_option="BASE",
        subscribed_kva=6,
        offpeak_hours=None,
        heating="gas",
        water_heater=True,
        pv_kwc=0.0,
        activation_date=date(2015, 3, 12),
        occupants=2,
        street="14 rue Oberkampf",
        city="PARIS",
        postal_code="75011",
        insee_code="75111",
        latitude=48.8649,
        longitude=2.3736,
        altitude=45,
    ),
    Household(
        usage_point_id="99000000000002",
        name="Maison Tours",
        pricing_option="HC_HP",
        subscribed_kva=9,
        offpeak_hours="HC (1H30-8H00;12H30-14H00)",
        selected_offer=("EDF", "Zen Fixe", "HC_HP"),
        heating="electric",
        water_heater=True,
        pv_kwc=0.0,
        activation_date=date(2014, 10, 6),
        occupants=4,
        street="27 allée des Tilleuls",
        city="TOURS",
        postal_code="37000",
        insee_code="37261",
        latitude=47.3941,
        longitude=0.6848,
        altitude=60,
    ),
    Household(
        usage_point_id="99000000000003",
        name="Maison Villeurbanne",
        pricing_option="TEMPO",
        subscribed_kva=9,
        offpeak_hours="HC (22H00-6H00)",
        heating="heat_pump",
        water_heater=True,
        pv_kwc=3.0,
        buyback="0.1276",  # a surplus-sale contract (EDF OA) of 2023, up to 9 kWc
        activation_date=date(2016, 6, 20),
        occupants=4,
        street="8 impasse des Glycines",
        city="VILLEURBANNE",
        postal_code="69100",
        insee_code="69266",
        latitude=45.7719,
        longitude=4.8902,
        altitude=170,
    ),
)
