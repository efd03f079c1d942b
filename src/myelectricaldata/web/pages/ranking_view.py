"""What the ranking pages show of a PDL's offer ranking: rows, filters, the catalog's freshness, one offer's
breakdown (kWh x price per slot) and the days it had to assume, in French."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ...energy.catalog import published_type
from ...energy.costs import kwh
from ...energy.coverage import coverage, marked
from ...energy.simulation import OfferResult, Totals
from ...energy.tariffs import PriceVersion
from ...services.ranking import Ranking
from ..formatting import ASSUMED_WORDS, assumed_day, decimal_text, kwh_number, money, num, paris_time
from .offer_words import slot_word, type_word

SOURCES = {"choice": "choisie dans les réglages", "gateway": "indiquée sur la passerelle MyElectricalData",
           "contract": "tarif réglementé de l'option du contrat"}
OWN_OFFERS = "Vos offres"  # the supplier column of the user's own offers
CALENDAR_WORDS = {"TEMPO": "couleur Tempo inconnue", "ZEN_FLEX": "type Zen Flex inconnu",
                  "EJP": "jour EJP inconnu", "PEAK_DAY": "jour de pointe inconnu"}


def supplier(result: OfferResult) -> str:
    """Who sells the offer: the catalog's supplier, EDF for a regulated tariff, the user for their own offers."""
    if result.key.startswith("regulated:"):
        return "EDF"
    return result.provider or OWN_OFFERS


def source_badge(result: OfferResult) -> str:
    """What kind of offer it is, besides its type."""
    if result.key.startswith("regulated:"):
        return "tarif réglementé"
    return "catalogue" if result.key.startswith("catalog:") else "offre personnelle"


def _signed(diff: Decimal) -> str:
    return ("+" if diff > 0 else "−" if diff < 0 else "±") + money(abs(diff))


def difference(result: OfferResult, ranking: Ranking) -> str:
    """The offer's 12-month total minus the current offer's, signed ("offre actuelle" for that one)."""
    if result.key == ranking.current.key:
        return "offre actuelle"
    return _signed(-result.savings) if ranking.comparable and result.complete else "—"


def notes(result: OfferResult, ranking: Ranking, today: date) -> list[str]:
    """Why a row's figures are partial or estimated."""
    out = []
    if not result.complete:
        out.append(f"Abonnement inconnu à {ranking.kva or '?'} kVA pour {result.subscription_unknown_days} jour(s) : "
                   "total sans l'abonnement de ces jours, classé à part.")
    if result.nearest_grid_days:
        out.append(f"{result.nearest_grid_days} jour(s) sans grille de prix publiée : prix de la grille la plus "
                   "proche.")
    assumed: dict[tuple[str, str], set[date]] = {}
    for day, calendar, value in result.unknown:
        assumed.setdefault((calendar, value), set()).add(day)
    for (calendar, value), days in assumed.items():
        out.append(f"{len(days)} jour(s) de {CALENDAR_WORDS.get(calendar, calendar)} : "
                   f"{ASSUMED_WORDS.get((calendar, value), value.lower())} supposé (voir le détail).")
    if not ranking.still_offered(result.key, today):
        out.append("N'est plus proposée.")
    return out


def filters(ranking: Ranking) -> dict:
    """The choices of the supplier and type filters, from the ranked offers."""
    suppliers = sorted({supplier(r) for r in ranking.results}, key=lambda s: (s == OWN_OFFERS, s.casefold()))
    types = sorted({published_type(r.kind) for r in ranking.results}, key=lambda t: type_word(t).casefold())
    return {"suppliers": suppliers, "types": [(t, type_word(t)) for t in types]}


def year_heads(ranking: Ranking) -> list[dict]:
    """One column per calendar year, marked partial when the load curve does not cover all its days."""
    heads = []
    for year, days in ranking.days_by_year.items():
        cover = coverage(date(year, 1, 1), "year", days)
        heads.append({"year": year, "days": days, "length": cover.length, "partial": cover.partial,
                      "label": marked(str(year), cover)})
    return heads


def total_head(ranking: Ranking, year: int | None) -> str:
    """The heading of the ranked total: "Total 12 mois" or "Total 2024", with the days it covers when partial:
    "Total 2024 (partiel : 25 j / 366)"."""
    if year is not None:
        head = next((h for h in year_heads(ranking) if h["year"] == year), None)
        return f"Total {head['label'] if head else year}"
    length = (ranking.last - ranking.first).days + 1
    partial = f" (partiel : {ranking.days_12_months} j / {length})" if ranking.days_12_months < length else ""
    return f"Total 12 mois{partial}"


def periods(ranking: Ranking) -> list[tuple[str, str]]:
    """What the table can be ranked on: the last 12 months, or one calendar year."""
    return [("", "les 12 derniers mois")] + [(str(head["year"]), f"l'année {head['label']}")
                                             for head in year_heads(ranking)]


def period_totals(ranking: Ranking, result: OfferResult, year: int | None) -> Totals:
    """The offer's totals over the last 12 months, or over ``year``."""
    if year is None:
        return Totals(result.energy_12_months, result.subscription_12_months, ranking.days_12_months,
                      result.subscription_unknown_days)
    return result.years.get(year) or Totals()


def rows(ranking: Ranking, today: date, chosen_supplier: str = "", chosen_type: str = "",
         year: int | None = None) -> list[dict]:
    """The table's rows ranked on the last 12 months (or on ``year``), filtered by supplier and type; the current
    offer is always kept. Offers without a subscription price for some day are listed after, unranked."""
    totals = {r.key: period_totals(ranking, r, year) for r in ranking.results}
    ordered = sorted(ranking.results, key=lambda r: (not totals[r.key].complete, totals[r.key].total))
    ranks = {r.key: i for i, r in enumerate((r for r in ordered if totals[r.key].complete), 1)}
    mine = totals.get(ranking.current.key)
    comparable = mine is not None and mine.complete and mine.days > 0
    out = []
    for r in ordered:
        current, period = r.key == ranking.current.key, totals[r.key]
        if not current and ((chosen_supplier and supplier(r) != chosen_supplier)
                            or (chosen_type and published_type(r.kind) != chosen_type)):
            continue
        by_year = r.by_year
        diff = period.total - mine.total if mine is not None and comparable and period.complete else None
        out.append({
            "key": r.key, "rank": ranks.get(r.key, "—"), "name": r.name, "supplier": supplier(r),
            "badge": source_badge(r), "type": type_word(published_type(r.kind)), "current": current,
            "best": ranks.get(r.key) == 1, "total": money(period.total), "energy": money(period.energy),
            "subscription": money(period.subscription),
            "difference": "offre actuelle" if current else "—" if diff is None else _signed(diff),
            "cheaper": diff is not None and diff < 0,
            "years": [money(by_year[y]) if y in by_year else "—" for y in ranking.days_by_year],
            "notes": notes(r, ranking, today)})
    return out


def freshness(ranking: Ranking) -> dict:
    """When the catalog and the Zen Flex days were last fetched (Paris time), and what went wrong since."""
    status = ranking.catalog
    offers, zen = status.offers, status.zen_flex
    lines = []
    if offers.fetched_at is None:
        lines.append("Le catalogue des fournisseurs n'a pas encore été récupéré auprès de la passerelle : seules "
                     "les offres réglementées et les vôtres sont comparées.")
    else:
        lines.append(f"Catalogue des fournisseurs mis à jour le {paris_time(offers.fetched_at)} (heure de Paris) : "
                     f"{num(offers.received)} grilles de prix reçues, {num(offers.stored)} conservées avec "
                     "l'historique.")
        if offers.refused:
            lines.append(f"{offers.refused} grille(s) écartée(s) car illisibles (unités ou champs manquants).")
    if status.zen_flex_until is not None:
        lines.append(f"Jours Zen Flex connus jusqu'au {status.zen_flex_until:%d/%m/%Y} (mis à jour le "
                     f"{paris_time(zen.fetched_at)}).")
    problems = [f"Dernière tentative ({'catalogue' if part.part == 'offers' else 'jours Zen Flex'}) le "
                f"{paris_time(part.tried_at)} : échec, {part.last_error}. Les données déjà enregistrées restent "
                "utilisées ; nouvel essai à la prochaine synchronisation."
                for part in (offers, zen) if part.last_error]
    return {"lines": lines, "problems": problems}


def _ranges(days: list[date]) -> list[str]:
    """Consecutive days written as ranges: ``du 01/10/2025 au 14/10/2025``, ``le 20/10/2025``."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [f"le {a:%d/%m/%Y}" if a == b else f"du {a:%d/%m/%Y} au {b:%d/%m/%Y}" for a, b in runs]


def detail(ranking: Ranking, result: OfferResult, today: date) -> dict:
    """One offer's 12 months, slot by slot (kWh x price), its subscription, its years and its flagged days."""
    offer = ranking.offers[result.key]
    lines = [{"slot": slot_word(line.slot), "since": f"{line.prices_from:%d/%m/%Y}",
              "kwh": kwh_number(float(kwh(line.energy))), "price": decimal_text(line.price),
              "amount": money(line.cost)} for line in result.slots]
    subscriptions = [{"since": f"{s.prices_from:%d/%m/%Y}",
                      "monthly": f"{decimal_text(s.monthly)} €/mois" if s.monthly is not None else "inconnu",
                      "days": s.days, "amount": money(s.cost)} for s in result.subscriptions]
    years = [{"year": y, "label": marked(str(y), coverage(date(y, 1, 1), "year", t.days)), "days": t.days,
              "length": coverage(date(y, 1, 1), "year", t.days).length, "energy": money(t.energy),
              "subscription": money(t.subscription), "total": money(t.total)} for y, t in sorted(result.years.items())]
    grids = [{"from": f"{v.valid_from:%d/%m/%Y}", "to": _last_day(v, following),
              "subscription": _monthly(v.monthly(ranking.kva)),
              "prices": ", ".join(f"{slot_word(s)} {decimal_text(p)}" for s, p in v.energy_for(ranking.kva).items())}
             for v, following in zip(offer.versions, [*offer.versions[1:], None], strict=True)]
    return {"key": result.key, "name": result.name, "supplier": supplier(result), "badge": source_badge(result),
            "type": type_word(published_type(result.kind)), "kva": result.kva, "current": result.key ==
            ranking.current.key, "rank": ranking.rank_of(result.key), "lines": lines, "subscriptions": subscriptions,
            "energy": money(result.energy_12_months), "subscription": money(result.subscription_12_months),
            "total": money(result.last_12_months), "difference": difference(result, ranking), "years": years,
            "grids": grids, "nearest_grid": _ranges(result.nearest_grid),
            "unknown": [assumed_day(d, calendar, value) for d, calendar, value in result.unknown],
            "notes": [*offer.notes, *notes(result, ranking, today)],
            "still_offered": ranking.still_offered(result.key, today)}


def _last_day(version: PriceVersion, following: PriceVersion | None) -> str:
    """The last day a grid priced: the day before it ended, or before the next grid started if sooner."""
    ends = [d for d in (version.valid_to, following.valid_from if following else None) if d is not None]
    return f"{min(ends) - timedelta(days=1):%d/%m/%Y}" if ends else "en vigueur"


def _monthly(monthly: Decimal | None) -> str:
    return f"{decimal_text(monthly)} €/mois" if monthly is not None else "inconnu à cette puissance"
