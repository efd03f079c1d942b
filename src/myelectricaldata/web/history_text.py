"""What an Enedis file import or the legacy migration does, in French words: the lines the command line prints, and
the phrases the pages share with it."""

from __future__ import annotations

from collections.abc import Iterable

from ..services.history_import import ImportPreview
from ..services.history_plan import DatasetPlan
from ..services.legacy_migration import MigrationReport, PdlMigration
from .formatting import WEEKDAYS, num
from .pages.settings_common import DATASET_WORDS

HANDOVER = ("Arrêtez maintenant l'ancien client (ou au moins son export « home_assistant_ws ») : sinon il continue "
            "de réécrire ses statistiques « myelectricaldata:<PDL>_… » dans Home Assistant. Le passage de relais des "
            "statistiques du tableau de bord Énergie se règle dans l'onglet Home Assistant des exportateurs")


def span(plan: DatasetPlan) -> str:
    """``du 20/10/2022 au 09/11/2022`` (``aucune valeur`` when the files hold none)."""
    if plan.first is None or plan.last is None:
        return "aucune valeur"
    return f"du {plan.first:%d/%m/%Y} au {plan.last:%d/%m/%Y}"


def counts(plan: DatasetPlan) -> list[str]:
    """What happens to a dataset's readings, the counts that are not zero first said."""
    unit = "point(s)" if plan.dataset.endswith("load_curve") else "jour(s)"
    parts = [(plan.added, f"{unit} à ajouter"), (plan.replaced, "remplaçant un import précédent"),
             (plan.unchanged, "déjà présent(s), identiques"),
             (plan.conflicts, "différent(s) de la passerelle : sa valeur est gardée"),
             (plan.repeated, "en double dans les fichiers : le premier est gardé"),
             (plan.empty, "vide(s) ou de remplissage : laissés manquants, jamais à zéro")]
    said = [f"{num(n)} {words}" for n, words in parts if n]
    if plan.incomplete_days:
        said.append(f"{num(len(plan.incomplete_days))} jour(s) encore incomplet(s) "
                    f"({', '.join(f'{d:%d/%m/%Y}' for d in plan.incomplete_days[:4])}"
                    f"{'…' if len(plan.incomplete_days) > 4 else ''})")
    return said or ["rien"]


def _datasets(plans: Iterable[DatasetPlan]) -> list[str]:
    return [f"  {DATASET_WORDS.get(p.dataset, p.dataset)} ({span(p)}) : {', '.join(counts(p))}" for p in plans]


def import_lines(preview: ImportPreview) -> list[str]:
    """The command line's summary of an import of Enedis files."""
    lines = [f"PDL {preview.pdl or '?'}"]
    for f in preview.files:
        lines.append(f"  {f.name} : {f.layout}, {num(f.readings)} valeur(s)" + (f", PRM {f.prm}" if f.prm else ""))
        lines += [f"    {note}" for note in f.notes]
    lines += [f"Refusé : {reason}" for reason in preview.refused]
    return lines + _datasets(preview.datasets)


def overrides_text(overrides: dict[int, str]) -> str:
    return ", ".join(f"{WEEKDAYS[day]} {windows}" for day, windows in sorted(overrides.items()))


def _pdl_lines(pdl: PdlMigration) -> list[str]:
    lines = [f"PDL {pdl.pdl}" + (f" « {pdl.name} »" if pdl.name else "") + ("" if pdl.known else " (nouveau ici)")]
    lines += _datasets(pdl.datasets)
    for lost in pdl.lost:
        lines.append(f"  {lost.day:%d/%m/%Y} : de {lost.start:%H:%M} à {lost.end:%H:%M} (heure d'été), "
                     f"{lost.slots} intervalle(s) écrasé(s) par l'ancien client au changement d'heure : laissés "
                     "manquants")
    if pdl.unplaced:
        lines.append(f"  {num(pdl.unplaced)} heure(s) inexistante(s) à Paris laissée(s) de côté")
    for label, text in (("Contrat", pdl.contract), ("Offre créée", pdl.offer), ("Tarification", pdl.pricing)):
        if text:
            lines.append(f"  {label} : {text}")
    if pdl.overrides:
        lines.append(f"  Heures creuses propres : {overrides_text(pdl.overrides)}")
    return lines


def migration_lines(report: MigrationReport) -> list[str]:
    """The command line's dry-run report (or result) of the legacy migration."""
    lines = [f"Base de l'ancien client : {report.shown}" + (f" ({report.version})" if report.version else "")]
    for pdl in report.pdls:
        lines += _pdl_lines(pdl)
    if not report.pdls:
        lines.append("Aucun PDL dans cette base.")
    lines.append(f"Jours Tempo à ajouter : {num(report.tempo_days)}")
    return lines
