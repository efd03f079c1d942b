"""Gateway payloads -> plain readings. Tolerant of string numbers, decimal commas and colour case;
text fields are cleaned of control characters and cut to the size they are stored in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, NamedTuple

from ..energy.offpeak import format_windows, parse_windows
from ..energy.readings import CurvePoint, DailyValue, MaxPower
from ..energy.timeline import PARIS, epoch, interval_minutes, resolve_interval_starts, resolve_local_times
from ..text import LINES, ONE_LINE
from .errors import UnexpectedPayload


class ContractFacts(NamedTuple):
    subscribed_kva: int | None
    offpeak_hours: str  # canonical HH:MM-HH:MM;... ("" when none)
    offpeak_raw: str
    distribution_tariff: str
    contract_status: str
    last_activation_date: date | None
    last_tariff_change_date: date | None


class AddressFacts(NamedTuple):
    street: str
    locality: str
    postal_code: str
    insee_code: str
    city: str
    country: str
    latitude: str
    longitude: str


class UsagePointInfo(NamedTuple):
    usage_point_id: str
    name: str
    has_consumption: bool
    has_production: bool
    is_active: bool
    pricing_option: str
    activation_date: date | None
    oldest_available_date: date | None
    linked_production_pdl_id: str = ""  # the production PDL the gateway links to this consumption PDL
    selected_offer_id: str = ""  # the catalog row the user chose on the gateway as the PDL's offer


class EcowattDay(NamedTuple):
    day: date
    level: int  # 1 green, 2 orange, 3 red
    message: str
    hours: tuple[int, ...]  # 24 hourly levels, 0..3


TEMPO_COLOURS = {"BLUE": "BLUE", "BLEU": "BLUE", "WHITE": "WHITE", "BLANC": "WHITE", "RED": "RED", "ROUGE": "RED"}
PRICING_OPTIONS = {"BASE": "BASE", "HC_HP": "HC_HP", "HCHP": "HC_HP", "HC/HP": "HC_HP", "HP_HC": "HC_HP",
                   "HC": "HC_HP", "TEMPO": "TEMPO", "EJP": "EJP", "HC_WEEKEND": "HC_WEEKEND"}



def text(raw: Any, limit: int | None = None, *, lines: bool = False) -> str:
    """A gateway string fit to store and show: control characters (NUL included) and lone surrogates
    dropped, tabs and line breaks turned to spaces unless ``lines``, outer blanks trimmed, at most
    ``limit`` characters (the size of the column it goes to)."""
    cleaned = ("" if raw is None else str(raw)).translate(LINES if lines else ONE_LINE).strip()
    return cleaned[:limit].rstrip() if limit is not None else cleaned


def _linked_pdl(raw: Any) -> str:
    """The linked production PDL when it is 14 digits, else "" (null or anything unusable)."""
    text = str(raw or "").strip()
    return text if len(text) == 14 and text.isdigit() else ""


def number(raw: Any, what: str) -> Decimal:
    """A gateway number: an int, float or string, with a decimal comma or spaces tolerated."""
    if isinstance(raw, bool) or raw is None:
        raise UnexpectedPayload(f"{what}: expected a number, got {raw!r}")
    text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UnexpectedPayload(f"{what}: expected a number, got {raw!r}") from None
    if not value.is_finite():
        raise UnexpectedPayload(f"{what}: expected a finite number, got {raw!r}")
    return value


def whole(raw: Any, what: str) -> int:
    """A gateway number rounded to the unit (Enedis publishes whole Wh, W and VA)."""
    return int(number(raw, what).to_integral_value(rounding=ROUND_HALF_EVEN))


def _objects(data: Any, what: str) -> list[dict]:
    """A list of JSON objects, or UnexpectedPayload naming what was expected."""
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise UnexpectedPayload(f"{what}: expected a list of objects, got {type(data).__name__}")
    return data


def _readings(data: Any, what: str) -> list[dict]:
    if not isinstance(data, dict):
        raise UnexpectedPayload(f"{what}: expected an object with meter_reading, got {type(data).__name__}")
    reading = data.get("meter_reading", data)
    items = reading.get("interval_reading") if isinstance(reading, dict) else None
    if items is None:
        return []
    return _objects(items, f"{what} interval_reading")


def _day(raw: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise UnexpectedPayload(f"{what}: expected a date YYYY-MM-DD, got {raw!r}") from None


def _stamp(raw: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise UnexpectedPayload(f"{what}: expected a time YYYY-MM-DD HH:MM:SS, got {raw!r}") from None


def parse_daily(data: Any, what: str = "daily") -> list[DailyValue]:
    """Daily energy readings (Wh per local day)."""
    out = {}
    for item in _readings(data, what):
        day = _day(item.get("date"), what)
        out[day] = DailyValue(day, whole(item.get("value"), f"{what} value on {day}"))
    return sorted(out.values())


def parse_load_curve(data: Any, what: str = "load curve") -> list[CurvePoint]:
    """Load-curve points: average W per interval, stored by UTC interval start and length.

    Stamps are naive local wall-clock times; see ``resolve_interval_starts`` for how DST days are
    told apart. A point whose time cannot be placed is dropped (and its day stays incomplete).
    """
    items = _readings(data, what)
    naive, lengths, aware = [], [], {}
    for n, item in enumerate(items):
        stamp = _stamp(item.get("date"), what)
        if stamp.tzinfo is not None:
            aware[n] = stamp.astimezone(UTC)
            stamp = stamp.astimezone(PARIS).replace(tzinfo=None)
        naive.append(stamp)
        try:
            lengths.append(interval_minutes(str(item.get("interval_length") or "PT30M")))
        except ValueError as exc:
            raise UnexpectedPayload(f"{what} on {stamp}: {exc}") from None
    resolved = resolve_interval_starts(naive, lengths)
    points: dict[int, CurvePoint] = {}
    for n, item in enumerate(items):
        instant = aware.get(n) or resolved[n]
        if instant is None:
            continue
        start = epoch(instant)
        points[start] = CurvePoint(start, lengths[n], whole(item.get("value"), f"{what} value at {naive[n]}"),
                                   instant.astimezone(PARIS).date())
    return sorted(points.values())


def parse_max_power(data: Any, what: str = "max power") -> list[MaxPower]:
    """Daily maximum power (VA) with the instant it was reached."""
    out = {}
    for item in _readings(data, what):
        stamp = _stamp(item.get("date"), what)
        if stamp.tzinfo is None:
            at = resolve_local_times([stamp])[0] or stamp.replace(tzinfo=PARIS).astimezone(UTC)
        else:
            at = stamp.astimezone(UTC)
        day = stamp.date()
        out[day] = MaxPower(day, whole(item.get("value"), f"{what} value on {day}"), epoch(at))
    return sorted(out.values())


def _usage_point(data: Any, what: str, usage_point_id: str) -> dict:
    try:
        points = _objects(data["customer"]["usage_points"], f"{what} usage_points")
    except (TypeError, KeyError):
        raise UnexpectedPayload(f"{what}: expected customer.usage_points") from None
    for entry in points:
        point = entry.get("usage_point")
        if isinstance(point, dict) and point.get("usage_point_id") == usage_point_id:
            return entry
    if len(points) == 1:
        return points[0]
    raise UnexpectedPayload(f"{what}: no usage point {usage_point_id} in the reply")


def _offset_date(raw: Any) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def parse_contract(data: Any, usage_point_id: str) -> ContractFacts:
    """Contract facts; ``subscribed_power`` arrives as ``"9 kVA"`` and dates as ``2013-08-14+01:00``."""
    contract = _usage_point(data, "contract", usage_point_id).get("contracts") or {}
    if isinstance(contract, list):
        contract = contract[0] if contract else {}
    if not isinstance(contract, dict):
        raise UnexpectedPayload("contract: expected an object in contracts")
    power = contract.get("subscribed_power")
    kva = None
    if power not in (None, ""):
        kva = whole(str(power).upper().replace("KVA", ""), "contract subscribed_power")
    raw = text(contract.get("offpeak_hours"), 200)
    try:
        canonical = format_windows(parse_windows(raw, "contract offpeak_hours"))
    except ValueError as exc:
        raise UnexpectedPayload(str(exc)) from None
    if len(canonical) > 100:
        raise UnexpectedPayload(f"contract offpeak_hours: more off-peak windows than a contract holds, got {raw!r}")
    return ContractFacts(
        subscribed_kva=kva,
        offpeak_hours=canonical,
        offpeak_raw=raw,
        distribution_tariff=text(contract.get("distribution_tariff"), 20),
        contract_status=text(contract.get("contract_status"), 20),
        last_activation_date=_offset_date(contract.get("last_activation_date")),
        last_tariff_change_date=_offset_date(contract.get("last_distribution_tariff_change_date")),
    )


def parse_address(data: Any, usage_point_id: str) -> AddressFacts:
    point = _usage_point(data, "address", usage_point_id).get("usage_point") or {}
    addr = point.get("usage_point_addresses") if isinstance(point, dict) else None
    addr = addr if isinstance(addr, dict) else {}
    found = addr.get("geo_points")
    geo: dict = found if isinstance(found, dict) else {}
    sizes = {"street": 200, "locality": 200, "postal_code": 10, "insee_code": 10, "city": 100, "country": 50}
    return AddressFacts(**{k: text(addr.get(k), size) for k, size in sizes.items()},
                        latitude=text(geo.get("latitude"), 20), longitude=text(geo.get("longitude"), 20))


def parse_usage_points(data: Any) -> list[UsagePointInfo]:
    """The account's PDLs from ``GET /pdl``."""
    out = []
    for item in _objects(data, "pdl list"):
        pdl = str(item.get("usage_point_id") or "").strip()
        if not (len(pdl) == 14 and pdl.isdigit()):
            raise UnexpectedPayload(f"pdl list: usage_point_id {pdl!r} is not 14 digits")
        option = text(item.get("pricing_option")).upper()
        out.append(UsagePointInfo(
            usage_point_id=pdl,
            name=text(item.get("name"), 100) or pdl,
            has_consumption=bool(item.get("has_consumption", True)),
            has_production=bool(item.get("has_production", False)),
            is_active=bool(item.get("is_active", True)),
            pricing_option=PRICING_OPTIONS.get(option, option[:20]),
            activation_date=_offset_date(item.get("activation_date")),
            oldest_available_date=_offset_date(item.get("oldest_available_data_date")),
            linked_production_pdl_id=_linked_pdl(item.get("linked_production_pdl_id")),
            selected_offer_id=text(item.get("selected_offer_id"), 36),
        ))
    return out


def parse_tempo(data: Any) -> list[tuple[date, str]]:
    """Tempo colours by day; colour case and French names are tolerated, unknown colours skipped."""
    out = {}
    for item in _objects(data, "tempo days"):
        colour = TEMPO_COLOURS.get(str(item.get("color") or "").strip().upper())
        if colour:
            out[_day(item.get("date"), "tempo day")] = colour
    return sorted(out.items())


def _hour_levels(values: Any) -> tuple[int, ...]:
    hours = [1] * 24
    for n, v in enumerate(values if isinstance(values, list) else []):
        if isinstance(v, dict):
            slot, level = int(v.get("pas", n)), v.get("hvalue")
        else:
            slot, level = n, v
        if 0 <= slot < 24 and level is not None:
            hours[slot] = whole(level, "ecowatt hvalue")
    return tuple(hours)


def parse_ecowatt(data: Any) -> list[EcowattDay]:
    """EcoWatt days; missing hours default to level 1 (green)."""
    out = {}
    for item in _objects(data, "ecowatt"):
        raw = item.get("periode") or item.get("jour") or item.get("date")
        stamp = _stamp(raw, "ecowatt periode") if raw and len(str(raw)) > 10 else None
        day = stamp.date() if stamp else _day(raw, "ecowatt periode")
        out[day] = EcowattDay(day, whole(item.get("dvalue"), "ecowatt dvalue"),
                              text(item.get("message"), 300, lines=True), _hour_levels(item.get("values")))
    return sorted(out.values())
