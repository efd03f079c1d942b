"""A PDL's data repair page: re-fetch a range, purge everything (with a confirmation page), its history import;
its pricing has its own page (``settings_pricing``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, url_for
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, ValidationError

from ...services import preferences, repair
from ...services.lock import SyncBusy, lock_file
from ...services.usage_points import UsagePoint
from ..context import app_services, app_settings
from ..forms import CheckboxesField, FrenchForm
from . import import_page
from .settings_common import bp, dataset_choices, usage_point_or_404

BUSY = "Une synchronisation est en cours : réessayez quand elle sera terminée."
TABLE_WORDS = {
    "daily_energy": "relevés journaliers", "load_curve": "points de courbe de charge",
    "max_power": "puissances maximales", "sync_days": "jours du suivi de synchronisation",
    "dataset_states": "états de synchronisation", "contract_versions": "versions du contrat",
    "pdl_preferences": "préférences", "pdl_pricing": "choix de tarification",
    "curve_days": "journées de courbe de charge regroupées (recalculées depuis les points)",
}


class RefetchForm(FrenchForm):
    start = DateField("Du", validators=[InputRequired("Indiquez le premier jour.")])
    end = DateField("Au", validators=[InputRequired("Indiquez le dernier jour.")])
    datasets = CheckboxesField("Données")

    def validate_datasets(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError("Cochez au moins une donnée.")


class PurgeForm(FrenchForm):
    confirmation = StringField("Numéro du PDL", validators=[InputRequired("Recopiez le numéro du PDL.")])


def _page(up: UsagePoint, form: RefetchForm, status: int = 200) -> Any:
    services = app_services()
    pref = preferences.load(services.engine, up.usage_point_id)
    skipped = [label for name, label in form.datasets.choices if not pref.syncs(name)]
    return render_template("settings_pdl.html", up=up, label=up.label(pref.display_name), prefs=pref,
                           form=form, skipped=skipped, can_sync=services.runner is not None,
                           upload=import_page.section(up)), status


def _refetch_form(up: UsagePoint) -> RefetchForm:
    yesterday = app_services().today() - timedelta(days=1)
    choices = dataset_choices(up)
    form = RefetchForm(formdata=None, data={"start": yesterday - timedelta(days=6), "end": yesterday,
                                            "datasets": [name for name, _ in choices]})
    form.datasets.choices = choices
    return form


@bp.route("/settings/<pdl>")
def pdl(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    return _page(up, _refetch_form(up))


@bp.route("/settings/<pdl>/refetch", methods=["POST"])
def refetch(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    services = app_services()
    form = RefetchForm()
    form.datasets.choices = dataset_choices(up)
    valid = form.validate_on_submit()
    if valid and form.start.data > form.end.data:
        form.end.errors.append("Le dernier jour doit suivre le premier.")
        valid = False
    if valid and form.end.data >= services.today():
        form.end.errors.append("Au plus hier : la passerelle ne donne pas encore les données du jour.")
        valid = False
    if not valid:
        return _page(up, form, 400)
    try:
        marked = repair.refetch(services.engine, pdl, form.datasets.data, form.start.data, form.end.data,
                                lock=lock_file(app_settings().data_dir))
    except SyncBusy:
        form.datasets.errors = [*form.datasets.errors, BUSY]
        return _page(up, form, 409)
    span = f"du {form.start.data:%d/%m/%Y} au {form.end.data:%d/%m/%Y}"
    if not marked:
        flash(f"Aucun jour enregistré {span} pour ces données : rien à redemander (la synchronisation demande "
              "déjà les jours manquants que la passerelle fournit).", "info")
    elif services.runner is not None and services.runner.start(pdls=[pdl]):
        flash(f"{marked} jour(s) {span} marqués à redemander ; synchronisation lancée : ils sont redemandés à la "
              "passerelle maintenant et les valeurs reçues remplacent les anciennes (suivez-la sur le tableau de "
              "bord).", "info")
    elif services.runner is not None:
        flash(f"{marked} jour(s) {span} marqués à redemander ; une synchronisation est déjà en cours, ils le seront "
              "à la suivante. Les données actuelles restent affichées d'ici là.", "info")
    else:
        flash(f"{marked} jour(s) {span} marqués à redemander : ils le seront à la prochaine synchronisation. Les "
              "données actuelles restent affichées d'ici là.", "info")
    return redirect(url_for("settings.pdl", pdl=pdl))


def _purge_page(up: UsagePoint, form: PurgeForm, status: int = 200) -> Any:
    engine = app_services().engine
    counts = repair.purge_preview(engine, up.usage_point_id)
    pref = preferences.load(engine, up.usage_point_id)
    return render_template("purge_confirm.html", up=up, label=up.label(pref.display_name), form=form, counts=counts,
                           words=TABLE_WORDS, total=sum(counts.values())), status


@bp.route("/settings/<pdl>/purge")
def purge_confirm(pdl: str) -> Any:
    return _purge_page(usage_point_or_404(pdl), PurgeForm(formdata=None))


@bp.route("/settings/<pdl>/purge", methods=["POST"])
def purge(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    services = app_services()
    form = PurgeForm()
    if not form.validate_on_submit():
        return _purge_page(up, form, 400)
    if form.confirmation.data.strip() != pdl:
        form.confirmation.errors.append(f"Recopiez exactement le numéro {pdl}.")
        return _purge_page(up, form, 400)
    try:
        if services.runner is not None and services.runner.running:
            raise SyncBusy(BUSY)
        deleted = repair.purge(services.engine, pdl, services.prices, lock=lock_file(app_settings().data_dir))
    except SyncBusy:
        form.confirmation.errors.append(BUSY)
        return _purge_page(up, form, 409)
    flash(f"Données du PDL {pdl} supprimées ({sum(deleted.values())} lignes). La prochaine synchronisation "
          "récupérera tout l'historique disponible ; désactivez le PDL ici si vous n'en voulez plus.", "info")
    return redirect(url_for("settings.index"))
