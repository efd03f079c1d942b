"""The OpenAPI 3.1 document of the REST API, as data (served at ``/api/openapi.json``)."""

from __future__ import annotations

import copy
from typing import Any

from ...energy.catalog import CATALOG_TYPES
from ...energy.offers import KINDS as USER_KINDS
from ...energy.tariffs import KVA_LEVELS
from .params import CURVE_STEPS, DAILY_STEPS, DIRECTIONS, FIRST_SEASON, LAST_SEASON, MAX_DAYS

JSON = "application/json"
CSV = "text/csv"
OFFER_TYPES = (*CATALOG_TYPES, "CUSTOM")
KINDS = (*dict.fromkeys((*USER_KINDS, *CATALOG_TYPES)),)
STRING, INTEGER, BOOLEAN, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"}
DATE, DATE_TIME = {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(**properties: Any) -> dict[str, Any]:
    """An object whose listed properties are all present."""
    return {"type": "object", "required": list(properties), "properties": properties}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


RANGE = {"start": {**DATE, "description": "first day answered (after defaults and caps)"},
         "end": {**DATE, "description": "last day answered, included"},
         "capped": {**BOOLEAN, "description": f"true when the range asked for was cut to its last {MAX_DAYS} days "
                                              "or moved inside 2000-01-01..2099-12-31"}}

SCHEMAS: dict[str, Any] = {
    "Error": _object(error=_object(code={**STRING, "description": "stable, machine-readable"},
                                   message={**STRING, "description": "for people; names the parameter at fault"})),
    "UsagePoint": _object(
        usage_point_id={**STRING, "pattern": "^[0-9]{14}$"},
        label={**STRING, "description": "the name set in the settings, else the gateway's"},
        pricing_option={**STRING, "description": "BASE, HC_HP, TEMPO, EJP... of the contract in force today"},
        subscribed_kva=_or_null(INTEGER),
        offpeak_hours={**STRING, "description": "off-peak windows in force today, e.g. 22:00-06:00; empty if none"},
        has_consumption=BOOLEAN, has_production=BOOLEAN,
        enabled={**BOOLEAN, "description": "synced (false when disabled in the settings)"},
        attention={**STRING, "description": "a problem needing the user (consent, inactive PDL); empty if none"}),
    "UsagePointList": _object(usage_points=_array(_ref("UsagePoint"))),
    "DatasetCoverage": _object(
        dataset={**STRING, "examples": ["consumption_daily", "consumption_load_curve"]},
        first=_or_null(DATE), last=_or_null(DATE),
        days={"type": "object", "description": "days by status: complete, partial, missing, given_up",
              "additionalProperties": INTEGER},
        not_complete=_array(_object(start=DATE, end=DATE)),
        last_sync_at=_or_null(DATE_TIME), outcome=STRING, error=STRING),
    "UsagePointDetail": {"allOf": [_ref("UsagePoint"), _object(
        name={**STRING, "description": "the gateway's name"},
        address=_object(street=STRING, postal_code=STRING, city=STRING),
        datasets=_array(_ref("DatasetCoverage")))]},
    "Daily": _object(
        usage_point_id=STRING, direction={**STRING, "enum": list(DIRECTIONS)}, **RANGE,
        step={**STRING, "enum": list(DAILY_STEPS)}, unit={"const": "Wh"},
        values={**_array(_object(date={**DATE, "description": "first day of the period"}, wh=INTEGER)),
                "description": "periods with stored data only, in order"}),
    "LoadCurve": _object(
        usage_point_id=STRING, direction={**STRING, "enum": list(DIRECTIONS)}, **RANGE,
        requested_step={**STRING, "enum": list(CURVE_STEPS)},
        step={**STRING, "enum": list(CURVE_STEPS), "description": "the step answered: hour beyond 31 days asked "
                                                                  "raw, day beyond 366 days"},
        unit={**STRING, "enum": ["W", "Wh"], "description": "W (average power) for raw, Wh otherwise"},
        points=_array(_object(
            start={**DATE_TIME, "description": "UTC start of the interval, hour or local day"},
            local={**DATE_TIME, "description": "the same instant on the Europe/Paris wall clock, with its offset"},
            minutes={**INTEGER, "description": "length: 10 to 60 for raw points, 60 per hour, 1380 to 1500 per day"},
            value={"type": "number"}))),
    "MaxPower": _object(
        usage_point_id=STRING, **RANGE, unit={"const": "VA"}, subscribed_kva=_or_null(INTEGER),
        values=_array(_object(date=DATE, va=INTEGER, at={**DATE_TIME, "description": "UTC time of the peak"},
                              local=DATE_TIME))),
    "TempoDays": _object(**RANGE, days=_array(_object(date=DATE, color={**STRING,
                                                                        "enum": ["BLUE", "WHITE", "RED"]}))),
    "TempoSeason": _object(
        season={**INTEGER, "description": "the season runs from 1 September of this year to 31 August"},
        start=DATE, end=DATE, counted_up_to={**DATE, "description": "colours known up to this day are counted"},
        colors=_object(**{c: _object(used=INTEGER, remaining=INTEGER, quota=INTEGER)
                          for c in ("BLUE", "WHITE", "RED")})),
    "EcoWatt": _object(days=_array(_object(
        date=DATE, level={**INTEGER, "description": "1 normal, 2 strained, 3 cuts likely"}, message=STRING,
        hours={**_array(INTEGER), "description": "level of each local hour, from 00:00"}))),
    "SyncState": _object(
        gateway_configured=BOOLEAN,
        progress=_object(running=BOOLEAN, done=INTEGER, total=INTEGER, message=STRING, run_id=_or_null(INTEGER),
                         outcome=STRING, failed={**BOOLEAN, "description": "the latest run ended in a failure"}),
        quota_paused_until={**_or_null(DATE_TIME), "description": "syncs wait for the gateway quota until then"},
        runs=_array(_object(id=INTEGER, started_at=DATE_TIME, finished_at=_or_null(DATE_TIME),
                            outcome=STRING, requests=INTEGER, message=STRING))),
    "Costs": _object(
        usage_point_id=STRING, **RANGE, step={**STRING, "enum": ["day", "month", "year"]}, unit={"const": "EUR"},
        offer={**_object(key=STRING, name=STRING, chosen={
            **BOOLEAN, "description": "picked in the settings (false: the gateway's offer or the regulated default)"}),
               "description": "the offer pricing the usage point today"},
        periods={**_array(_object(
            date={**DATE, "description": "first day of the period"},
            kwh={"type": "object", "additionalProperties": {"type": "number"},
                 "description": "energy per slot: BASE, HP, HC, BLUE_HP... RED_HC, or a custom offer's periods"},
            euros={"type": "object", "additionalProperties": {"type": "number"},
                   "description": "energy cost per slot, rounded to the cent"},
            energy={"type": "number"}, subscription={"type": "number", "description": "subscription share"},
            subscription_known={**BOOLEAN, "description": "false: no subscription price is known at the subscribed "
                                                          "power for some days of the period (counted as 0)"},
            total={"type": "number", "description": "energy plus subscription, the rounded exact sum"},
            days={**INTEGER, "description": "days with a load curve in the period"},
            estimated={**BOOLEAN, "description": "some days assumed an unknown calendar day (Tempo colour, Zen Flex "
                                                "day type...) or were priced with the nearest price grid"},
            estimated_days=INTEGER, offer_keys=_array(STRING))),
            "description": "periods with a stored load curve only, in order"},
        total={"type": "number", "description": "the whole range, rounded once"}),
    "SyncStarted": _object(started={**BOOLEAN, "description": "false when a sync is already running"}),
    "Simulation": _object(
        usage_point_id=STRING, start={**DATE, "description": "first day of the last 12 months"},
        end={**DATE, "description": "yesterday"},
        kva={**_or_null(INTEGER), "description": "the subscribed power every offer is priced at (today's)"},
        current_offer={**STRING, "description": "key of the household's offer (regulated:OPTION, user:ID or "
                                                "catalog:supplier|offer|type|kVA)"},
        current_offer_source={**STRING, "enum": ["choice", "gateway", "contract"],
                              "description": "chosen in the settings, named on the gateway (selected_offer_id), "
                                             "or the contract's regulated tariff"},
        days={**INTEGER, "description": "days of the last 12 months with a load curve (fewer than 365: partial)"},
        catalog=_object(fetched_at={**_or_null(DATE_TIME), "description": "the last catalog fetch stored"},
                        last_error={**STRING, "description": "why the last attempt failed; empty if it did not"},
                        zen_flex_until={**_or_null(DATE), "description": "the last day with a known Zen Flex type"}),
        offers={**_array(_ref("RankedOffer")),
                "description": "ranked by total (rank null for offers without a known subscription, listed last)"},
        power=_object(
            subscribed_kva=_or_null(INTEGER), days=INTEGER, peak_va=INTEGER,
            distribution=_array(_object(kva=INTEGER, days=INTEGER)), close_days=INTEGER, over_days=INTEGER,
            lower_kva=_or_null(INTEGER), lower_close_days=INTEGER,
            yearly_saving={**_or_null({"type": "number"}), "description": "EUR per year at lower_kva; null when "
                                                                          "unknown"},
            message=STRING)),
    "RankedOffer": _object(
        rank=_or_null(INTEGER), key=STRING, name=STRING,
        provider={**STRING, "description": "the catalog's supplier; empty for regulated and user offers"},
        type={**STRING, "enum": list(OFFER_TYPES), "description": "the catalog's type code"},
        kind={**STRING, "enum": list(KINDS), "description": "the pricing rule (HPHC for the regulated and user "
                                                             "HP/HC option; ZEN_FLEX recognised by name too)"},
        source={**STRING, "enum": ["regulated", "user", "catalog"]},
        kva={**_or_null(INTEGER), "description": "the power a catalog offer is published for"},
        current=BOOLEAN, complete={**BOOLEAN, "description": "false: no subscription price known for some days"},
        still_offered={**BOOLEAN, "description": "false: a catalog offer whose last grid has ended"},
        total={"type": "number", "description": "EUR over the last 12 months, subscription included"},
        energy=NUMBER, subscription=NUMBER,
        savings={**_or_null(NUMBER), "description": "EUR less than the current offer (null: not comparable)"},
        difference={**_or_null(NUMBER), "description": "EUR more than the current offer (-savings)"},
        by_year=_array(_object(year=INTEGER, total=NUMBER, energy=NUMBER, subscription=NUMBER,
                               days={**INTEGER, "description": "days with a load curve"},
                               complete={**BOOLEAN, "description": "false: no subscription price for some days"})),
        breakdown=_object(
            slots={**_array(_object(slot={**STRING, "examples": ["HP", "BLUE_HC", "SOBRIETE_HP", "EJP_PEAK"]},
                                    prices_from={**DATE, "description": "first day of the grid"},
                                    price={**NUMBER, "description": "EUR/kWh"}, kwh=NUMBER, euros=NUMBER)),
                   "description": "the last 12 months: the kWh of each slot at each grid's price"},
            subscription=_array(_object(prices_from=DATE, days=INTEGER,
                                        monthly={**_or_null(NUMBER), "description": "EUR/month; null: unknown"},
                                        euros=NUMBER))),
        estimated_days=INTEGER, subscription_unknown_days=INTEGER,
        nearest_grid_days={**INTEGER, "description": "days no published grid covered (the nearest one priced them)"},
        unknown_calendar_days={**INTEGER, "description": "days priced with an assumed Tempo colour, Zen Flex day "
                                                         "type, EJP or peak day"}),
    "Offers": _object(
        kva=_or_null(INTEGER), provider=_or_null(STRING), type=_or_null(STRING),
        fetched_at={**_or_null(DATE_TIME), "description": "the last catalog fetch stored"},
        last_error={**STRING, "description": "why the last attempt failed; empty if it did not"},
        offers=_array(_object(
            key={**STRING, "description": "stable across the gateway's new ids: catalog:supplier|offer|type|kVA"},
            provider=STRING, name={**STRING, "description": "the offer's name without its kVA"},
            type={**STRING, "enum": list(CATALOG_TYPES), "description": "the pricing rule"},
            kva=_or_null(INTEGER), still_offered=BOOLEAN, notes=_array(STRING),
            grids={**_array(_object(
                gateway_id=STRING, name={**STRING, "description": "as published"},
                offer_type={**STRING, "description": "as published"},
                valid_from=DATE, last_day={**_or_null(DATE), "description": "last day covered; null: open"},
                subscription={**NUMBER, "description": "EUR/month TTC"},
                prices={"type": "object", "additionalProperties": NUMBER,
                        "description": "EUR/kWh TTC per catalog price field"},
                hc_schedules={**_or_null({"type": "array"}), "items": _or_null(STRING),
                              "description": "the offer's own off-peak windows, Monday first"},
                active=BOOLEAN, offer_url=STRING)), "description": "oldest first"}))),
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PARAMETERS: dict[str, Any] = {
    "pdl": {"name": "pdl", "in": "path", "required": True, "description": "the usage point (PDL), 14 digits",
            "schema": {**STRING, "pattern": "^[0-9]{14}$"}},
    "direction": _query("direction", {**STRING, "enum": list(DIRECTIONS), "default": "consumption"},
                        "energy taken from the grid or injected into it"),
    "start": _query("start", DATE, "first local day (default: 30 days before end)"),
    "end": _query("end", DATE, "last local day, included (default: yesterday); a range over "
                               f"{MAX_DAYS} days keeps its last {MAX_DAYS} days"),
    "tempo_end": _query("end", DATE, "last day, included (default: tomorrow)"),
    "daily_step": _query("step", {**STRING, "enum": list(DAILY_STEPS), "default": "day"},
                         "sum per day, ISO week, month or year (keyed by the period's first day)"),
    "curve_step": _query("step", {**STRING, "enum": list(CURVE_STEPS), "default": "raw"},
                         "raw points (W), or Wh per local hour or day"),
    "cost_step": _query("step", {**STRING, "enum": ["day", "month", "year"], "default": "day"},
                        "sum per local day, month or year (keyed by the period's first day)"),
    "kva": _query("kva", {**INTEGER, "enum": list(KVA_LEVELS)},
                  "only the offers published for this power (and those published without one)"),
    "provider": _query("provider", {**STRING, "maxLength": 100}, "only this supplier's offers (its exact name)"),
    "offer_type": _query("type", {**STRING, "enum": list(CATALOG_TYPES)}, "only the offers priced by this rule"),
    "format": _query("format", {**STRING, "enum": ["json", "csv"], "default": "json"},
                     "csv: the same figures as a CSV file for a spreadsheet (text/csv; UTF-8 with a BOM, ';' between "
                     "cells, decimal comma, French headers, Paris dates and times, kWh and euros; named "
                     "<what>-<usage point name>-<start>_<end>.csv)"),
    "season": _query("season", {**INTEGER, "minimum": FIRST_SEASON, "maximum": LAST_SEASON},
                     "year the season starts in (default: the current season)"),
}

ERROR_STATUS = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403", "NotFound": "404", "Conflict": "409",
                "UnsupportedMediaType": "415"}
RESPONSES: dict[str, Any] = {
    name: {"description": description, "content": {JSON: {"schema": _ref("Error")}}}
    for name, description in (
        ("BadRequest", "a malformed or reversed parameter; the message names it"),
        ("NotFound", "unknown usage point"),
        ("Conflict", "no gateway is configured"),
        ("Unauthorized", "sign-in or bearer token required"),
        ("Forbidden", "this caller may not use the API"),
        ("UnsupportedMediaType", "not sent as JSON (nor with the bearer token)"),
    )
}


def _operation(operation_id: str, summary: str, schema: str, *, status: str = "200", parameters: tuple[str, ...] = (),
               errors: tuple[str, ...] = (), body: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {JSON: {"schema": _ref(schema)}}
    if "format" in parameters:
        content[CSV] = {"schema": {**STRING, "description": "with format=csv: the table, first line the headers"}}
    responses = {status: {"description": summary, "content": content}}
    for name in (*errors, "Unauthorized", "Forbidden"):
        responses[ERROR_STATUS[name]] = {"$ref": f"#/components/responses/{name}"}
    operation = {"summary": summary, "operationId": operation_id,
                 "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in parameters],
                 "responses": responses}
    if body is not None:
        operation["requestBody"] = body
    return operation


RANGED = ("pdl", "direction", "start", "end")
PATHS: dict[str, Any] = {
    "/api/v1/usage_points": {"get": _operation("listUsagePoints", "Usage points (PDL) stored here", "UsagePointList")},
    "/api/v1/usage_points/{pdl}": {"get": _operation(
        "getUsagePoint", "One usage point, with the coverage of each dataset", "UsagePointDetail", parameters=("pdl",),
        errors=("BadRequest", "NotFound"))},
    "/api/v1/usage_points/{pdl}/daily": {"get": _operation(
        "getDaily", "Energy per local day, week, month or year", "Daily", parameters=(*RANGED, "daily_step", "format"),
        errors=("BadRequest", "NotFound"))},
    "/api/v1/usage_points/{pdl}/load_curve": {"get": _operation(
        "getLoadCurve", "Load curve: raw points, or energy per local hour or day", "LoadCurve",
        parameters=(*RANGED, "curve_step", "format"), errors=("BadRequest", "NotFound"))},
    "/api/v1/usage_points/{pdl}/max_power": {"get": _operation(
        "getMaxPower", "Daily maximum power", "MaxPower", parameters=("pdl", "start", "end", "format"),
        errors=("BadRequest", "NotFound"))},
    "/api/v1/usage_points/{pdl}/costs": {"get": _operation(
        "getCosts", "Cost per day, month or year, per slot, with the subscription share", "Costs",
        parameters=("pdl", "start", "end", "cost_step", "format"), errors=("BadRequest", "NotFound"))},
    "/api/v1/tempo": {"get": _operation(
        "getTempoDays", "Tempo colours per day (the days not announced yet are absent)", "TempoDays",
        parameters=("start", "tempo_end", "format"), errors=("BadRequest",))},
    "/api/v1/tempo/season": {"get": _operation(
        "getTempoSeason", "Tempo days used and remaining per colour in a season", "TempoSeason", parameters=("season",),
        errors=("BadRequest",))},
    "/api/v1/usage_points/{pdl}/simulation": {"get": _operation(
        "getSimulation", "Every offer (catalog at the PDL's power, regulated, the user's) replayed on the last 12 "
        "months and per year with its breakdown, and the max power advisor", "Simulation", parameters=("pdl",),
        errors=("BadRequest", "NotFound"))},
    "/api/v1/offers": {"get": _operation(
        "getOffers", "The supplier catalog stored here, every price grid of each offer", "Offers",
        parameters=("kva", "provider", "offer_type"), errors=("BadRequest",))},
    "/api/v1/ecowatt": {"get": _operation("getEcoWatt", "EcoWatt signals stored from today on", "EcoWatt")},
    "/api/v1/sync": {
        "get": _operation("getSyncState", "Sync progress, the last runs and any quota pause", "SyncState"),
        "post": _operation("startSync", "Start a sync now (in the background)", "SyncStarted", status="202",
                           errors=("BadRequest", "Conflict", "UnsupportedMediaType"), body={
                               "required": True,
                               "description": "an empty JSON object; without it, the API bearer token (a form "
                                              "posted from another site starts nothing)",
                               "content": {JSON: {"schema": {"type": "object", "additionalProperties": True}}}}),
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "MyElectricalData local client API", "version": "1",
             "description": "Read-only access to the Linky data stored by the add-on, and a way to start a sync. "
                            "Dates are local days (Europe/Paris) as YYYY-MM-DD; instants are ISO 8601. "
                            "Errors are {\"error\": {\"code\", \"message\"}}."},
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "parameters": PARAMETERS, "responses": RESPONSES},
}


def document(server_url: str) -> dict[str, Any]:
    """The document, with the URL the API is reached under (the ingress prefix, if any)."""
    doc = copy.deepcopy(DOCUMENT)
    doc["servers"] = [{"url": server_url}]
    return doc
