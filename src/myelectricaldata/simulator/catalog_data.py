"""The simulated gateway's supplier catalog as data: suppliers, their products with prices at 6 kVA on the
reference day, how each product's rows are named and dated, and the offer types payload.

EDF's regulated Tarif Bleu (Base, HP/HC, Tempo) follows the package's regulated tariffs instead. The quoted
rows of the gateway (EDF seed data, the production Zen Flex row, Enercoop's grid) are reproduced exactly on
the reference day; the other products' prices are illustrative, close to the market of that date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

REFERENCE_DAY = date(2025, 8, 1)  # the quoted prices are those in force that day
ALL_KVA = (3, 6, 9, 12, 15, 18, 24, 30, 36)
FROM_6_KVA = ALL_KVA[1:]
FROM_9_KVA = ALL_KVA[2:]
# The gateway's offer fields, in the order it sends them (routers/energy_offers.py list_offers)
OFFER_FIELDS = (
    "id", "provider_id", "name", "offer_type", "description", "subscription_price", "base_price", "hc_price",
    "hp_price", "base_price_weekend", "hc_price_weekend", "hp_price_weekend", "tempo_blue_hc", "tempo_blue_hp",
    "tempo_white_hc", "tempo_white_hp", "tempo_red_hc", "tempo_red_hp", "ejp_normal", "ejp_peak",
    "hc_price_winter", "hp_price_winter", "hc_price_summer", "hp_price_summer", "peak_day_price", "hc_schedules",
    "power_kva", "price_updated_at", "valid_from", "valid_to", "offer_url", "is_active", "created_at",
)
# How a source names and dates its rows:
#   seed          "Tarif Bleu", kVA in power_kva only; the grid in force has no valid_from (price_updated_at
#                 only), older grids were imported with valid_from and a valid_to naming their last day
#   scraper       "Name 6 kVA"; valid_from the 1st of the month of the scrape; each refresh closes every open
#                 scraped row of the supplier at the scrape instant and mints new ids, changed prices or not
#   plain         a scraper naming the offer without its kVA (the kVA is in power_kva and the description)
#   legacy        a scraper row without power_kva: the kVA is in the name only
#   contribution  "Name - 6 kVA", approved before its valid_from; closed at the next grid's valid_from, and
#                 left is_active (the gateway sets only valid_to when it closes a contributed grid)
#   any_kva       one contributed row, no kVA at all, for every power
STYLES = ("seed", "scraper", "plain", "legacy", "contribution", "any_kva")
SCRAPED = frozenset({"scraper", "plain", "legacy"})


@dataclass(frozen=True)
class Supplier:
    """A provider of ``/energy/providers``."""

    name: str
    website: str | None
    logo_url: str | None
    scraper_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Product:
    """One offer of a supplier at every kVA it is sold at, priced at 6 kVA on ``REFERENCE_DAY``."""

    provider: str
    name: str
    offer_type: str
    monthly: str  # EUR/month TTC at 6 kVA (other powers scale like the regulated Base subscription)
    prices: Mapping[str, str]  # catalog price fields, EUR/kWh TTC
    kvas: tuple[int, ...] = ALL_KVA
    style: str = "scraper"
    months: tuple[int, ...] = (1,)  # months whose 1st brings a new price grid
    launched: date = date(2023, 1, 1)
    withdrawn: date | None = None
    regulated: str = ""  # the regulated option (BASE, HPHC, TEMPO) whose versions give its grids
    description: str | None = None
    offer_url: str | None = None
    hc_schedules: Mapping[str, str] | None = field(default=None)


def _logo(domain: str) -> str:
    return f"https://logo.clearbit.com/{domain}"


SUPPLIERS = (
    Supplier("EDF", "https://www.edf.fr", _logo("edf.fr"), (
        "https://particulier.edf.fr/content/dam/2-Actifs/Documents/Offres/Grille_prix_Tarif_Bleu.pdf",
        "https://particulier.edf.fr/content/dam/2-Actifs/Documents/Offres/grille-prix-zen-week-end.pdf")),
    Supplier("Enercoop", None, _logo("enercoop.fr"),
             ("https://www.faq.enercoop.fr/hc/fr/article_attachments/29227207696786",)),
    Supplier("TotalEnergies", "https://www.totalenergies.fr", _logo("totalenergies.fr")),
    Supplier("Engie", "https://particuliers.engie.fr", _logo("engie.fr")),
    Supplier("Octopus Energy", "https://octopusenergy.fr", _logo("octopusenergy.fr")),
    Supplier("Mint Énergie", "https://www.mint-energie.com", _logo("mint-energie.com")),
    Supplier("ekWateur", "https://ekwateur.fr", _logo("ekwateur.fr")),
    Supplier("Vattenfall", "https://www.vattenfall.fr", _logo("vattenfall.fr")),
    Supplier("Alpiq", "https://particuliers.alpiq.fr", _logo("alpiq.fr")),
    Supplier("Alterna", "https://www.alterna-energie.fr", None),
    Supplier("Priméo Énergie", "https://www.primeo-energie.fr", _logo("primeo-energie.fr")),
    Supplier("ilek", "https://www.ilek.fr", _logo("ilek.fr")),
    Supplier("Ohm Énergie", "https://www.ohm-energie.com", _logo("ohm-energie.com")),
    Supplier("Plüm énergie", "https://plum.fr", None),
)

P = Product
SEMESTERS = (2, 8)  # 1 February and 1 August, the regulated calendar
NIGHTS_23_07 = {day: "23:00-07:00" for day in
                ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
PRODUCTS = (
    # EDF: the regulated Tarif Bleu (seed rows), EJP (closed to new customers), Zen offers
    P("EDF", "Tarif Bleu", "BASE", "15.47", {"base_price": "0.1952"}, style="seed", regulated="BASE",
      months=SEMESTERS, launched=date(2024, 2, 1)),
    P("EDF", "Tarif Bleu", "HC_HP", "15.74", {"hc_price": "0.1635", "hp_price": "0.2081"}, FROM_6_KVA,
      style="seed", regulated="HPHC", months=SEMESTERS, launched=date(2024, 2, 1)),
    P("EDF", "Tarif Bleu", "TEMPO", "15.50", {
        "tempo_blue_hc": "0.1232", "tempo_blue_hp": "0.1494", "tempo_white_hc": "0.1391",
        "tempo_white_hp": "0.1730", "tempo_red_hc": "0.1460", "tempo_red_hp": "0.6468"}, FROM_6_KVA,
      style="seed", regulated="TEMPO", months=SEMESTERS, launched=date(2024, 2, 1)),
    P("EDF", "Tarif Bleu", "EJP", "15.92", {"ejp_normal": "0.1672", "ejp_peak": "0.6250"}, FROM_9_KVA,
      style="seed", months=SEMESTERS, launched=date(2024, 2, 1)),
    P("EDF", "Zen Fixe", "BASE", "15.47", {"base_price": "0.1856"}, months=(1, 7)),
    P("EDF", "Zen Fixe", "HC_HP", "15.74", {"hc_price": "0.1556", "hp_price": "0.1980"}, FROM_6_KVA,
      months=(1, 7)),
    P("EDF", "Zen Week-End - Option Week-End", "BASE_WEEKEND", "15.47",
      {"base_price": "0.2237", "base_price_weekend": "0.1566"}, months=(3, 9)),
    P("EDF", "Zen Week-End - HC/HP + WE", "HC_WEEKEND", "15.74", {
        "hc_price": "0.1803", "hp_price": "0.2311", "hc_price_weekend": "0.1512", "hp_price_weekend": "0.1803"},
      FROM_6_KVA, months=(3, 9)),
    # Zen Flex as the production gateway holds it (SEASONAL, Sobriété in *_winter) and as the scraper types it
    # (ZEN_FLEX, Éco in *_winter)
    P("EDF", "Zen Week-End - Option Flex", "SEASONAL", "15.74", {
        "hc_price_winter": "0.2091", "hp_price_winter": "0.7253", "hc_price_summer": "0.1519",
        "hp_price_summer": "0.2091"}, (6, 9), style="contribution", months=(3, 9), launched=date(2023, 11, 1)),
    P("EDF", "Zen Week-End - Option Flex", "ZEN_FLEX", "15.74", {
        "hc_price_winter": "0.1519", "hp_price_winter": "0.2091", "hc_price_summer": "0.2091",
        "hp_price_summer": "0.7253"}, ALL_KVA[3:], months=(3, 9), launched=date(2023, 11, 1)),
    # Enercoop: the scraper's fallback grid of the reference day
    P("Enercoop", "Basic Watt", "BASE", "16.36", {"base_price": "0.25388"}, style="plain", months=(2,)),
    P("Enercoop", "Flexi Watt - 2 saisons", "SEASONAL", "17.40", {
        "hc_price_winter": "0.23096", "hp_price_winter": "0.31128", "hc_price_summer": "0.13579",
        "hp_price_summer": "0.19397"}, FROM_6_KVA, style="plain", months=(2,),
      description="Électricité 100% renouvelable - Tarifs hiver/été avec heures creuses"),
    P("Enercoop", "Flexi Watt - 2 saisons Pointe", "SEASONAL", "17.40", {
        "hc_price_winter": "0.21980", "hp_price_winter": "0.29650", "hc_price_summer": "0.12930",
        "hp_price_summer": "0.18470", "peak_day_price": "0.72000"}, FROM_6_KVA, style="plain", months=(2,),
      description="Électricité 100% renouvelable - Tarifs hiver/été, jours de pointe"),
    P("Enercoop", "Flexi Watt - Nuit & Week-end", "HC_NUIT_WEEKEND", "16.48",
      {"hc_price": "0.16537", "hp_price": "0.29320"}, FROM_6_KVA, style="plain", months=(2,),
      description="Électricité 100% renouvelable - HC nuit (23h-6h) et week-end"),
    P("TotalEnergies", "Offre Essentielle", "BASE", "15.47", {"base_price": "0.1850"}, months=(2, 8)),
    P("TotalEnergies", "Offre Essentielle", "HC_HP", "15.74", {"hc_price": "0.1551", "hp_price": "0.1974"},
      FROM_6_KVA, months=(2, 8)),
    P("TotalEnergies", "Verte Fixe", "BASE", "15.47", {"base_price": "0.1899"}, months=(4,)),
    P("TotalEnergies", "Verte Fixe", "HC_HP", "15.74", {"hc_price": "0.1592", "hp_price": "0.2026"},
      FROM_6_KVA, months=(4,)),
    P("Engie", "Elec Référence 1 an", "BASE", "15.47", {"base_price": "0.1912"}, style="contribution",
      months=(3, 9)),
    P("Engie", "Elec Référence 1 an", "HC_HP", "15.74", {"hc_price": "0.1602", "hp_price": "0.2039"},
      FROM_6_KVA, style="contribution", months=(3, 9)),
    P("Engie", "Elec Tranquillité", "BASE", "15.47", {"base_price": "0.2018"}, style="contribution",
      months=(1,)),
    P("Octopus Energy", "Eco-Conso", "BASE", "15.47", {"base_price": "0.1835"}, months=(2, 8),
      offer_url="https://octopusenergy.fr/offres"),
    P("Octopus Energy", "Eco-Conso", "HC_HP", "15.74", {"hc_price": "0.1530", "hp_price": "0.1950"},
      FROM_6_KVA, months=(2, 8), offer_url="https://octopusenergy.fr/offres"),
    P("Octopus Energy", "Octopus Fixe", "BASE", "15.47", {"base_price": "0.1890"}, months=(10,),
      launched=date(2024, 10, 1)),
    P("Mint Énergie", "Online & Green", "BASE", "15.47", {"base_price": "0.1821"}, months=(1, 7)),
    P("Mint Énergie", "Online & Green", "HC_HP", "15.74", {"hc_price": "0.1529", "hp_price": "0.1946"},
      FROM_6_KVA, months=(1, 7)),
    P("Mint Énergie", "Smart & Green", "BASE", "15.47", {"base_price": "0.1870"}, months=(1, 7),
      withdrawn=date(2025, 7, 1)),
    P("ekWateur", "Électricité verte prix fixe", "BASE", "15.47", {"base_price": "0.1900"},
      style="contribution", months=(5,)),
    P("ekWateur", "Électricité verte prix fixe", "HC_HP", "15.74", {"hc_price": "0.1590", "hp_price": "0.2020"},
      FROM_6_KVA, style="contribution", months=(5,)),
    P("ekWateur", "Prix variable", "BASE", "15.60", {"base_price": "0.1960"}, style="contribution",
      months=(2, 5, 8, 11)),
    P("Vattenfall", "Électricité Verte", "BASE", "15.47", {"base_price": "0.1887"}, style="legacy",
      months=(2, 8)),
    P("Vattenfall", "Électricité Verte", "HC_HP", "15.74", {"hc_price": "0.1581", "hp_price": "0.2012"},
      FROM_6_KVA, style="legacy", months=(2, 8)),
    P("Alpiq", "Électricité Stable", "BASE", "15.47", {"base_price": "0.1844"}, months=(1,)),
    P("Alpiq", "Électricité Stable", "HC_HP", "15.74", {"hc_price": "0.1544", "hp_price": "0.1965"},
      FROM_6_KVA, months=(1,)),
    P("Alpiq", "Électricité Référence", "BASE", "15.47", {"base_price": "0.1915"}, months=(2, 8)),
    P("Alterna", "Électricité 100% locale", "BASE", "15.47", {"base_price": "0.1985"}, style="legacy",
      months=(3,)),
    P("Alterna", "Électricité 100% locale", "HC_HP", "15.74", {"hc_price": "0.1658", "hp_price": "0.2110"},
      FROM_6_KVA, style="legacy", months=(3,)),
    P("Priméo Énergie", "Offre Fixe", "BASE", "15.47", {"base_price": "0.1829"}, months=(2, 8)),
    P("Priméo Énergie", "Offre Fixe", "HC_HP", "15.74", {"hc_price": "0.1531", "hp_price": "0.1948"},
      FROM_6_KVA, months=(2, 8)),
    P("ilek", "Électricité des barrages", "BASE", "15.47", {"base_price": "0.2050"}, style="contribution",
      months=(6,)),
    P("ilek", "Heures Creuses Nuit", "HC_HP", "15.74", {"hc_price": "0.1620", "hp_price": "0.2150"},
      FROM_6_KVA, style="contribution", months=(6,), hc_schedules=NIGHTS_23_07),
    P("Ohm Énergie", "Classique", "BASE", "15.47", {"base_price": "0.1879"}, months=(2, 8)),
    P("Ohm Énergie", "Classique", "HC_HP", "15.74", {"hc_price": "0.1572", "hp_price": "0.2001"},
      FROM_6_KVA, months=(2, 8)),
    P("Ohm Énergie", "Classique Week-end", "WEEKEND", "15.74",
      {"hc_price": "0.1590", "hp_price": "0.2165", "hc_price_weekend": "0.1425"}, FROM_6_KVA, months=(2, 8)),
    P("Plüm énergie", "Offre Unique", "BASE", "15.90", {"base_price": "0.1930"}, style="any_kva",
      months=(1,)),
    P("Plüm énergie", "Heures Creuses", "HC_HP", "15.74", {"hc_price": "0.1565", "hp_price": "0.1995"},
      FROM_6_KVA, style="contribution", months=(1, 7), launched=date(2025, 10, 1)),
)

# ``GET /energy/offer-types``: the metadata of the gateway's seven calculators, sorted by display_order
OFFER_TYPES = (
    {"code": "BASE", "name": "Base", "description": "Tarif unique, prix du kWh identique à toute heure",
     "icon": "zap", "color": "#3B82F6", "required_price_fields": ["base_price"],
     "optional_price_fields": ["base_price_weekend"], "display_order": 1},
    {"code": "HC_HP", "name": "Heures Creuses / Heures Pleines",
     "description": "Deux tarifs selon l'heure : Heures Creuses (nuit) moins chères, Heures Pleines (jour) plus "
                    "chères",
     "icon": "clock", "color": "#10B981", "required_price_fields": ["hc_price", "hp_price"],
     "optional_price_fields": ["hc_schedules", "hc_price_weekend", "hp_price_weekend"], "display_order": 2},
    {"code": "TEMPO", "name": "Tempo",
     "description": "6 tarifs selon le jour (Bleu, Blanc, Rouge) et l'heure (HC/HP). 300 jours Bleus, 43 Blancs, "
                    "22 Rouges par an",
     "icon": "palette", "color": "#8B5CF6",
     "required_price_fields": ["tempo_blue_hc", "tempo_blue_hp", "tempo_white_hc", "tempo_white_hp",
                               "tempo_red_hc", "tempo_red_hp"],
     "optional_price_fields": ["hc_schedules"], "display_order": 3},
    {"code": "EJP", "name": "EJP (Effacement Jour de Pointe)",
     "description": "2 tarifs : Normal (342 jours) et Pointe Mobile (22 jours, très cher). Offre fermée aux "
                    "nouveaux clients",
     "icon": "alert-triangle", "color": "#F59E0B", "required_price_fields": ["ejp_normal", "ejp_peak"],
     "optional_price_fields": [], "display_order": 4},
    {"code": "SEASONAL", "name": "Saisonnier (2 saisons)",
     "description": "Tarifs différenciés été/hiver avec HC/HP. Hiver (nov-mars) plus cher, été (avr-oct) moins "
                    "cher. Option jour de pointe disponible",
     "icon": "sun", "color": "#06B6D4",
     "required_price_fields": ["hc_price_winter", "hp_price_winter", "hc_price_summer", "hp_price_summer"],
     "optional_price_fields": ["peak_day_price", "hc_schedules"], "display_order": 5},
    {"code": "HC_NUIT_WEEKEND", "name": "Nuit & Week-end",
     "description": "HC : 23h-6h en semaine + tout le week-end. HP : 6h-23h en semaine uniquement. Idéal pour "
                    "véhicules électriques",
     "icon": "moon", "color": "#6366F1", "required_price_fields": ["hc_price", "hp_price"],
     "optional_price_fields": [], "display_order": 6},
    {"code": "WEEKEND", "name": "Week-end",
     "description": "4 tarifs : Semaine HC/HP + Week-end HC/HP. Tarifs réduits le week-end. Idéal pour "
                    "consommateurs actifs le week-end",
     "icon": "calendar", "color": "#8B5CF6",
     "required_price_fields": ["hc_price_weekday", "hp_price_weekday", "hc_price_weekend", "hp_price_weekend"],
     "optional_price_fields": ["hc_schedules"], "display_order": 7},
)
