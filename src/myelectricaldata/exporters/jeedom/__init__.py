"""Jeedom exporter: the values of a Linky-style display pushed to Jeedom info commands.

One config field per value holds the id of the info command that receives it (an empty field is not sent); the
"Chercher dans la cible" button lists the info commands (eqLogic::all then cmd::byEqLogicId) so the user picks them.
Every export pushes the snapshot's current values of one PDL plus Tempo, EcoWatt and the last sync, with JSON-RPC
cmd::event (dated with "datetime", so a value sent again lands on the same history row) or, as an option, the
virtual plugin's event URL (no date).

Jeedom's quirks (its core API, 4.x): every answer is HTTP 200, errors included (plain text in the HTTP API, an "error"
object in JSON-RPC, whose code is not to be trusted); a refused key costs a 5-second sleep on Jeedom's side and
counts toward an IP ban (then served as 404), so the first refusal ends the export, and a key shorter than 16
characters is refused here without asking. An unknown command id only fails its own value: the others are pushed,
then the failure is reported. Messages name the endpoint and the command id, never the key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ...energy.costs import euros as to_the_cent
from ...energy.costs import kwh_rounded
from ...energy.timeline import PARIS
from ..base import BaseExporter, ExportResult, PartialExportError
from ..batches import ExportBatch, Snapshot, UsagePointState
from ..schema import ConfigField
from .api import (
    AUTH_SLEEP,
    JeedomClient,
    JeedomCommandError,
    JeedomError,
    local,
)

log = logging.getLogger(__name__)

METHODS = ("jsonrpc", "virtual")
COLOUR_WORDS = {"BLUE": "bleu", "WHITE": "blanc", "RED": "rouge"}
UNKNOWN_COLOUR = "inconnu"
TEMPO_SLOTS = ("BLUE_HP", "BLUE_HC", "WHITE_HP", "WHITE_HC", "RED_HP", "RED_HC")


@dataclass(frozen=True)
class Value:
    """One value of the display: its config field, the command name suggested in Jeedom, subtype and unit."""

    field: str
    label: str
    command: str
    subtype: str = "numeric"
    unit: str = ""

    @property
    def config_field(self) -> ConfigField:
        kind = "numérique" if self.subtype == "numeric" else "autre (texte)"
        unit = f", unité {self.unit}" if self.unit else ""
        return ConfigField(self.field, f"{self.label} : id de commande", type="int", minimum=1,
                           help=f"Commande info/{kind}{unit}, par exemple « {self.command} » ; vide : non envoyé")


VALUES: tuple[Value, ...] = (
    Value("cmd_consumption_yesterday", "Consommation hier", "Consommation hier", unit="kWh"),
    Value("cmd_consumption_week", "Consommation de la semaine", "Consommation semaine", unit="kWh"),
    Value("cmd_consumption_month", "Consommation du mois", "Consommation mois", unit="kWh"),
    Value("cmd_consumption_year", "Consommation de l'année", "Consommation année", unit="kWh"),
    Value("cmd_hp_yesterday", "Heures pleines hier", "HP hier", unit="kWh"),
    Value("cmd_hc_yesterday", "Heures creuses hier", "HC hier", unit="kWh"),
    Value("cmd_blue_hp_yesterday", "Tempo bleu HP hier", "Bleu HP hier", unit="kWh"),
    Value("cmd_blue_hc_yesterday", "Tempo bleu HC hier", "Bleu HC hier", unit="kWh"),
    Value("cmd_white_hp_yesterday", "Tempo blanc HP hier", "Blanc HP hier", unit="kWh"),
    Value("cmd_white_hc_yesterday", "Tempo blanc HC hier", "Blanc HC hier", unit="kWh"),
    Value("cmd_red_hp_yesterday", "Tempo rouge HP hier", "Rouge HP hier", unit="kWh"),
    Value("cmd_red_hc_yesterday", "Tempo rouge HC hier", "Rouge HC hier", unit="kWh"),
    Value("cmd_cost_yesterday", "Coût hier", "Coût hier", unit="€"),
    Value("cmd_max_power_yesterday", "Puissance max hier", "Puissance max hier", unit="VA"),
    Value("cmd_max_power_time", "Heure de la puissance max", "Heure puissance max", "string"),
    Value("cmd_production_yesterday", "Production hier", "Production hier", unit="kWh"),
    Value("cmd_last_sync", "Dernière synchronisation", "Dernière synchro", "string"),
    Value("cmd_tempo_today", "Tempo aujourd'hui", "Tempo aujourd'hui", "string"),
    Value("cmd_tempo_tomorrow", "Tempo demain", "Tempo demain", "string"),
    Value("cmd_tempo_remaining_blue", "Jours bleus restants", "Jours bleus restants", unit="j"),
    Value("cmd_tempo_remaining_white", "Jours blancs restants", "Jours blancs restants", unit="j"),
    Value("cmd_tempo_remaining_red", "Jours rouges restants", "Jours rouges restants", unit="j"),
    Value("cmd_ecowatt_today", "EcoWatt aujourd'hui", "EcoWatt aujourd'hui"),
    Value("cmd_ecowatt_tomorrow", "EcoWatt demain", "EcoWatt demain"),
)
BY_FIELD = {v.field: v for v in VALUES}


@dataclass(frozen=True)
class Reading:
    """A value as sent to Jeedom (text) and the moment it belongs to (Jeedom's ``datetime``)."""

    value: str
    at: datetime | None = None


# -- formatting --------------------------------------------------------------------------------------------------------
def midnight(day: date) -> datetime:
    """The start of a Paris day: the date a day's value is filed under in Jeedom's history."""
    return datetime.combine(day, time(0), PARIS)


def kwh(wh: int) -> str:
    return str(kwh_rounded(wh * 60))  # 60 watt-minutes make a Wh


def kwh_of_wm(watt_minutes: int) -> str:
    return str(kwh_rounded(watt_minutes))


def euros(amount: Decimal) -> str:
    return str(to_the_cent(amount))


def _slots(energy: Mapping[str, int], suffix: str) -> int | None:
    found = [wm for slot, wm in energy.items() if slot == suffix or slot.endswith("_" + suffix)]
    return sum(found) if found else None


def readings(snapshot: Snapshot, up: UsagePointState | None) -> dict[str, Reading]:
    """Every value the snapshot supports, by config field: the PDL's (when one is given) then the global ones."""
    out: dict[str, Reading] = {}
    last_sync = snapshot.last_sync_at
    if up is not None:
        totals = up.consumption
        if totals is not None:
            day = midnight(totals.end)
            if totals.yesterday is not None:
                out["cmd_consumption_yesterday"] = Reading(kwh(totals.yesterday), day)
            for period in ("week", "month", "year"):
                out[f"cmd_consumption_{period}"] = Reading(kwh(getattr(totals, period)), day)
        cost = up.yesterday_cost
        if cost is not None:
            day = midnight(cost.day)
            for suffix in ("HP", "HC"):
                wm = _slots(cost.energy, suffix)
                if wm is not None:
                    out[f"cmd_{suffix.lower()}_yesterday"] = Reading(kwh_of_wm(wm), day)
            for slot in TEMPO_SLOTS:
                if slot in cost.energy:
                    out[f"cmd_{slot.lower()}_yesterday"] = Reading(kwh_of_wm(cost.energy[slot]), day)
            out["cmd_cost_yesterday"] = Reading(euros(cost.total), day)
        if up.max_power is not None and up.max_power.day == snapshot.now.astimezone(PARIS).date() - timedelta(days=1):
            at = datetime.fromtimestamp(up.max_power.at_utc, PARIS)
            out["cmd_max_power_yesterday"] = Reading(str(up.max_power.va), at)
            out["cmd_max_power_time"] = Reading(at.strftime("%H:%M"), at)
        if up.production is not None and up.production.yesterday is not None:
            out["cmd_production_yesterday"] = Reading(kwh(up.production.yesterday), midnight(up.production.end))
        last_sync = up.last_sync_at or last_sync
    if last_sync is not None:
        out["cmd_last_sync"] = Reading(local(last_sync).strftime("%d/%m/%Y %H:%M"), last_sync)
    today = snapshot.now.astimezone(PARIS).date()
    stamp = midnight(today)
    out["cmd_tempo_today"] = Reading(COLOUR_WORDS.get(snapshot.tempo_today or "", UNKNOWN_COLOUR), stamp)
    out["cmd_tempo_tomorrow"] = Reading(COLOUR_WORDS.get(snapshot.tempo_tomorrow or "", UNKNOWN_COLOUR), stamp)
    for colour, left in snapshot.tempo_remaining.items():
        out[f"cmd_tempo_remaining_{colour.lower()}"] = Reading(str(left), stamp)
    signals = {e.day: e for e in snapshot.ecowatt}
    for key, day in (("today", today), ("tomorrow", today + timedelta(days=1))):
        if day in signals:
            out[f"cmd_ecowatt_{key}"] = Reading(str(signals[day].level), stamp)
    return out


# -- the exporter ------------------------------------------------------------------------------------------------------
class JeedomExporter(BaseExporter):
    name = "jeedom"
    title = "Jeedom"
    description = ("Consommation, HP/HC ou Tempo, coût, puissance max, production, Tempo et EcoWatt vers les commandes "
                   "info d'un équipement Jeedom (affichage façon Linky)")
    version = "1.0.0"
    config_schema = (
        ConfigField("url", "URL de Jeedom", required=True, default="http://jeedom.local",
                    help="Adresse de Jeedom, par exemple http://192.168.1.20 ; /core/api/jeeApi.php est ajouté"),
        ConfigField("api_key", "Clé API", type="password", required=True,
                    help="Réglages › Système › Configuration › API : clé API de Jeedom (mode jsonrpc) ou du plugin "
                         "Virtuel (mode virtual) ; une clé d'utilisateur convient aux deux"),
        ConfigField("method", "Envoi", type="choice", choices=METHODS, required=True, default="jsonrpc",
                    help="jsonrpc : cmd::event, valeurs datées (historique sans doublon) ; virtual : URL d'événement "
                         "du plugin Virtuel, sans date"),
        ConfigField("pdl", "PDL", help="Numéro du point de livraison à afficher ; vide : le premier PDL activé"),
        ConfigField("send_datetime", "Dater les valeurs", type="bool", default=True,
                    help="Chaque valeur porte la date du jour qu'elle concerne (mode jsonrpc)"),
        ConfigField("timeout", "Délai d'attente (s)", type="float", default=15.0, minimum=1, maximum=120,
                    help=f"Jeedom attend {AUTH_SLEEP} s avant de refuser une clé : gardez plus de {AUTH_SLEEP} s"),
        *(v.config_field for v in VALUES),
    )
    connection_fields = ("url", "api_key", "method")
    advanced_fields = ("timeout",)
    mapping_fields = tuple(v.field for v in VALUES)

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        super().__init__(config)
        self.client: JeedomClient | None = None

    @property
    def virtual(self) -> bool:
        return self.config.get("method") == "virtual"

    def _client(self) -> JeedomClient:
        return JeedomClient(self.config.get("url") or "", self.config.get("api_key") or "",
                            float(self.config.get("timeout") or 15.0))

    def mapped(self) -> dict[str, int]:
        """The command id of every value the user mapped, by config field."""
        return {v.field: int(self.config[v.field]) for v in VALUES if self.config.get(v.field)}

    # -- connection ----------------------------------------------------------------------------------------------------
    def connect(self) -> None:
        self.client = self._client()

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def test_connection(self) -> tuple[bool, str]:
        """``ping``, then ``version`` (checks the key) or, in virtual mode, an event for the unknown command 0."""
        count = len(self.mapped())
        try:
            with self._client() as client:
                if client.call("ping") != "pong":
                    return False, f"{client.endpoint} répond, mais pas comme l'API de Jeedom (pas de « pong »)"
                if not self.virtual:
                    version = client.call("version")
                    return True, f"Connecté à Jeedom {version} ({client.endpoint}) ; {count} commande(s) renseignée(s)"
                try:
                    client.virtual_event(0, None)
                except JeedomCommandError:
                    return True, (f"Jeedom ({client.endpoint}) répond et le plugin Virtuel accepte la clé ; "
                                  f"{count} commande(s) renseignée(s)")
                return False, f"{client.endpoint} : réponse inattendue du plugin Virtuel pour une commande inexistante"
        except JeedomError as exc:
            return False, str(exc)

    def notes(self, app_url: str) -> list[str]:
        pdl = (self.config.get("pdl") or "").strip()
        return [
            "Une commande info Jeedom par valeur : créez un équipement Virtuel (voir addon/jeedom/README.md), puis "
            "« Chercher dans la cible » propose les commandes dans chaque champ au lieu de taper leurs id.",
            f"Un champ vide n'est pas envoyé. Un seul PDL par exportateur : {pdl or 'le premier PDL activé'}. "
            "Chaque export renvoie les valeurs du moment (après chaque synchronisation).",
        ]

    def lookup(self) -> dict[str, list[tuple[str, str]]]:
        hint = (" ; la recherche passe par l'API JSON-RPC : la clé du plugin Virtuel ne l'ouvre pas, prenez la clé "
                "API de Jeedom ou celle d'un utilisateur" if self.virtual else "")
        found: list[tuple[dict, dict]] = []
        with self._client() as client:
            equipments = client.call("eqLogic::all", hint=hint)
            if not isinstance(equipments, list):
                raise JeedomError(f"réponse inattendue de Jeedom ({client.endpoint}) à eqLogic::all")
            for eq in equipments:
                commands = client.call("cmd::byEqLogicId", hint=hint, eqLogic_id=eq.get("id"))
                if not isinstance(commands, list):
                    raise JeedomError(f"réponse inattendue de Jeedom ({client.endpoint}) à cmd::byEqLogicId")
                found += [(eq, cmd) for cmd in commands if isinstance(cmd, dict) and cmd.get("type") == "info"]
        if not found:
            return {}
        return {v.field: [(str(cmd.get("id")), _label(eq, cmd)) for eq, cmd in _ranked(found, v)] for v in VALUES}

    # -- export --------------------------------------------------------------------------------------------------------
    def usage_point(self, snapshot: Snapshot) -> tuple[UsagePointState | None, str]:
        """The PDL to show, and a problem to report (a PDL asked for that is unknown or disabled)."""
        wanted = str(self.config.get("pdl") or "").strip()
        if not wanted:
            return next((up for up in snapshot.usage_points if up.enabled), None), ""
        for up in snapshot.usage_points:
            if up.usage_point_id == wanted and up.enabled:
                return up, ""
            if up.usage_point_id == wanted:
                return None, f"le PDL {wanted} est désactivé : ses valeurs n'ont pas été envoyées"
        return None, f"le PDL {wanted} est inconnu : ses valeurs n'ont pas été envoyées"

    def export(self, batch: ExportBatch) -> ExportResult:
        """Push every mapped value the snapshot has; one refused command does not stop the others."""
        mapped = self.mapped()
        if not mapped:
            return ExportResult(0, "aucune commande Jeedom renseignée : rien à envoyer")
        if self.client is None:
            self.connect()
        assert self.client is not None
        up, problem = self.usage_point(batch.snapshot)
        values = readings(batch.snapshot, up)
        dated = bool(self.config.get("send_datetime")) and not self.virtual
        sent, failures = 0, []
        for field, cmd_id in mapped.items():
            reading = values.get(field)
            if reading is None:
                continue
            try:
                if self.virtual:
                    self.client.virtual_event(cmd_id, reading.value)
                else:
                    self.client.event(cmd_id, reading.value, reading.at if dated else None)
            except JeedomCommandError as exc:
                failures.append(f"{BY_FIELD[field].label} : {exc}")
                continue
            sent += 1
        pdl = f"PDL {up.usage_point_id}" if up is not None else "aucun PDL"
        if failures or problem:
            what = f"{len(failures)} refusée(s) : " + " ; ".join(failures) if failures else problem
            if failures and problem:
                what += f" ; {problem}"
            raise PartialExportError(f"Jeedom ({self.client.endpoint}), {pdl} : {sent} valeur(s) envoyée(s), {what}")
        return ExportResult(sent, f"{sent} valeur(s) envoyée(s) à Jeedom ({pdl})")


def _label(eq: Mapping[str, Any], cmd: Mapping[str, Any]) -> str:
    disabled = " [équipement désactivé]" if str(eq.get("isEnable", "1")) == "0" else ""
    return f"{eq.get('name')} › {cmd.get('name')} ({cmd.get('type')}/{cmd.get('subType')}){disabled}"


def _ranked(found: list[tuple[dict, dict]], value: Value) -> list[tuple[dict, dict]]:
    """The info commands for one field: the one named as suggested first, then those of its subtype."""
    def key(pair: tuple[dict, dict]) -> tuple:
        eq, cmd = pair
        named = str(cmd.get("name") or "").strip().lower() == value.command.lower()
        try:
            order = int(cmd.get("order") or 0)
        except (TypeError, ValueError):
            order = 0
        return (not named, cmd.get("subType") != value.subtype, str(eq.get("name") or "").lower(), order)

    return sorted(found, key=key)
