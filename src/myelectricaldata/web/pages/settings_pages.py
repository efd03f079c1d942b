"""Settings: per-PDL preferences, data repair, the standalone password, first run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectMultipleField, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...database import repository as repo
from ...services import repair
from ...services.datasets import datasets_for
from ...services.overview import label_of
from ...services.preferences import PdlPreferences, all_preferences, save_preferences
from ..security import password_hash, set_password

bp = Blueprint("settings", __name__)

DATASET_WORDS = {
    "consumption_daily": "Consommation journalière", "consumption_load_curve": "Courbe de charge (consommation)",
    "consumption_max_power": "Puissance maximale journalière", "production_daily": "Production journalière",
    "production_load_curve": "Courbe de charge (production)",
}
TABLE_WORDS = {
    "daily_energy": "relevés journaliers", "load_curve": "points de courbe de charge",
    "max_power": "puissances maximales", "sync_days": "jours du suivi de synchronisation",
    "dataset_states": "états de synchronisation", "contract_versions": "versions du contrat",
    "pdl_preferences": "préférences",
}
SOURCE_WORDS = {"default": "par défaut", "environment": "environnement", "settings.yaml": "settings.yaml",
                "options.json": "options de l'add-on", "command line": "ligne de commande"}


def deployment(settings) -> list[tuple[str, str, str]]:
    """(KEY, value, source) of each deployment setting, from ``describe()`` (secrets already masked)."""
    rows = []
    for key, text in settings.describe().items():
        value, _, source = text.rpartition(" (")
        value = {"Secret('***')": "•••• (masqué)", "Secret('')": "", "()": ""}.get(value, value)
        rows.append((key.upper(), value or "—", SOURCE_WORDS.get(source.rstrip(")"), source.rstrip(")"))))
    return rows


class FrenchForm(FlaskForm):
    """A form whose built-in messages are in French (WTForms ships the translation)."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; choices are checked by the form itself."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        unknown = sorted(set(self.data or ()) - {value for value, _ in self.choices})
        if unknown:
            raise ValidationError(f"Donnée inconnue pour ce PDL : {', '.join(unknown)}.")


class PreferencesForm(FrenchForm):
    display_name = StringField("Nom affiché", validators=[Optional(), Length(max=100)])
    enabled = BooleanField("Synchroniser ce PDL")
    datasets = CheckboxesField("Données à synchroniser")

    def validate_datasets(self, field) -> None:
        if self.enabled.data and not field.data:
            raise ValidationError("Cochez au moins une donnée, ou décochez « Synchroniser ce PDL ».")


class RefetchForm(FrenchForm):
    start = DateField("Du", validators=[InputRequired("Indiquez le premier jour.")])
    end = DateField("Au", validators=[InputRequired("Indiquez le dernier jour.")])
    datasets = CheckboxesField("Données")

    def validate_datasets(self, field) -> None:
        if not field.data:
            raise ValidationError("Cochez au moins une donnée.")


class PurgeForm(FrenchForm):
    confirmation = StringField("Numéro du PDL", validators=[InputRequired("Recopiez le numéro du PDL.")])


class PasswordForm(FrenchForm):
    password = PasswordField("Nouveau mot de passe", validators=[InputRequired(), Length(min=8, max=200)])
    confirm = PasswordField("Confirmation", validators=[
        InputRequired(), EqualTo("password", "Les deux mots de passe ne sont pas identiques.")])


class RemovePasswordForm(FrenchForm):
    """An empty form: the CSRF token of "remove the password"."""


def _services():
    return current_app.extensions["med"]


def _usage_point(pdl: str) -> dict[str, Any]:
    with _services().engine.connect() as conn:
        for up in repo.usage_point_rows(conn):
            if up["usage_point_id"] == pdl:
                return up
    abort(404)


def _choices(up: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d.name, DATASET_WORDS.get(d.name, d.name)) for d in datasets_for(True, up["has_production"])]


def _preferences_form(up: dict[str, Any], prefs: PdlPreferences, bound: bool = False) -> PreferencesForm:
    choices = _choices(up)
    data = {"display_name": prefs.display_name, "enabled": prefs.enabled,
            "datasets": [name for name, _ in choices if prefs.syncs(name)]}
    extra = {} if bound else {"formdata": None}
    form = PreferencesForm(prefix=f"p{up['usage_point_id']}", data=data, **extra)
    form.datasets.choices = choices
    return form


def _index(bound: tuple[str, PreferencesForm] | None = None, password_form: PasswordForm | None = None,
           status: int = 200):
    services = _services()
    settings = current_app.config["MED_SETTINGS"]
    with services.engine.connect() as conn:
        points = repo.usage_point_rows(conn)
        prefs = all_preferences(conn)
    cards = []
    for up in points:
        pdl = up["usage_point_id"]
        pref = prefs.get(pdl, PdlPreferences(pdl))
        form = bound[1] if bound and bound[0] == pdl else _preferences_form(up, pref)
        cards.append({"up": up, "label": label_of(up, pref.display_name), "form": form, "prefs": pref})
    return render_template(
        "settings.html", cards=cards, no_credentials=services.sync is None, settings=settings,
        deployment=deployment(settings), password_form=password_form or PasswordForm(formdata=None),
        remove_form=RemovePasswordForm(), has_password=not settings.supervised and bool(password_hash())), status


@bp.route("/settings")
def index():
    return _index()


@bp.route("/settings/<pdl>", methods=["POST"])
def save(pdl: str):
    up = _usage_point(pdl)
    with _services().engine.connect() as conn:
        current = all_preferences(conn).get(pdl, PdlPreferences(pdl))
    form = _preferences_form(up, current, bound=True)
    if not form.validate_on_submit():
        return _index((pdl, form), status=400)
    every = {name for name, _ in form.datasets.choices}
    chosen = frozenset(form.datasets.data) or current.datasets  # a disabled PDL may keep its choice
    prefs = PdlPreferences(pdl, (form.display_name.data or "").strip(), form.enabled.data,
                           frozenset() if chosen >= every else chosen)
    try:
        with _services().engine.begin() as conn:
            save_preferences(conn, prefs)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        getattr(form, field, form.display_name).errors.append(message or str(exc))
        return _index((pdl, form), status=400)
    flash(f"Réglages de {label_of(up, prefs.display_name)} enregistrés : ils s'appliquent dès la prochaine "
          "synchronisation, sans redémarrage.", "info")
    return redirect(url_for("settings.index", _anchor=f"pdl-{pdl}"))


def _repair_page(up: dict[str, Any], form: RefetchForm, status: int = 200, pricing_form=None):
    with _services().engine.connect() as conn:
        pref = all_preferences(conn).get(up["usage_point_id"], PdlPreferences(up["usage_point_id"]))
    skipped = [label for name, label in form.datasets.choices if not pref.syncs(name)]
    return render_template("settings_pdl.html", up=up, label=label_of(up, pref.display_name), prefs=pref,
                           form=form, skipped=skipped, can_sync=_services().runner is not None,
                           pricing=settings_pricing.section(up, pricing_form)), status


def _refetch_form(up: dict[str, Any]) -> RefetchForm:
    yesterday = _services().today() - timedelta(days=1)
    form = RefetchForm(formdata=None, data={"start": yesterday - timedelta(days=6), "end": yesterday,
                                            "datasets": [name for name, _ in _choices(up)]})
    form.datasets.choices = _choices(up)
    return form


@bp.route("/settings/<pdl>")
def pdl(pdl: str):
    up = _usage_point(pdl)
    return _repair_page(up, _refetch_form(up))


@bp.route("/settings/<pdl>/refetch", methods=["POST"])
def refetch(pdl: str):
    up = _usage_point(pdl)
    services = _services()
    form = RefetchForm()
    form.datasets.choices = _choices(up)
    valid = form.validate_on_submit()
    if valid and form.start.data > form.end.data:
        form.end.errors.append("Le dernier jour doit suivre le premier.")
        valid = False
    if valid and form.end.data >= services.today():
        form.end.errors.append("Au plus hier : la passerelle ne donne pas encore les données du jour.")
        valid = False
    if not valid:
        return _repair_page(up, form, 400)
    marked = repair.refetch(services.engine, pdl, form.datasets.data, form.start.data, form.end.data)
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


def _purge_page(up: dict[str, Any], form: PurgeForm, status: int = 200):
    counts = repair.purge_preview(_services().engine, up["usage_point_id"])
    with _services().engine.connect() as conn:
        pref = all_preferences(conn).get(up["usage_point_id"], PdlPreferences(up["usage_point_id"]))
    return render_template("purge_confirm.html", up=up, label=label_of(up, pref.display_name), form=form, counts=counts,
                           words=TABLE_WORDS, total=sum(counts.values())), status


@bp.route("/settings/<pdl>/purge")
def purge_confirm(pdl: str):
    return _purge_page(_usage_point(pdl), PurgeForm(formdata=None))


@bp.route("/settings/<pdl>/purge", methods=["POST"])
def purge(pdl: str):
    up = _usage_point(pdl)
    services = _services()
    form = PurgeForm()
    if not form.validate_on_submit():
        return _purge_page(up, form, 400)
    if form.confirmation.data.strip() != pdl:
        form.confirmation.errors.append(f"Recopiez exactement le numéro {pdl}.")
        return _purge_page(up, form, 400)
    if services.runner is not None and services.runner.running:
        form.confirmation.errors.append("Une synchronisation est en cours : réessayez quand elle sera terminée.")
        return _purge_page(up, form, 409)
    deleted = repair.purge(services.engine, pdl)
    flash(f"Données du PDL {pdl} supprimées ({sum(deleted.values())} lignes). La prochaine synchronisation "
          "récupérera tout l'historique disponible ; désactivez le PDL ici si vous n'en voulez plus.", "info")
    return redirect(url_for("settings.index"))


@bp.route("/settings/password", methods=["POST"])
def password():
    if current_app.config["MED_SETTINGS"].supervised:
        abort(404)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _index(password_form=form, status=400)
    set_password(_services().engine, form.password.data)
    session["signed_in"] = True
    flash("Mot de passe enregistré : il est demandé aux appareils hors des réseaux de confiance.", "info")
    return redirect(url_for("settings.index", _anchor="acces"))


@bp.route("/settings/password/remove", methods=["POST"])
def remove_password():
    if current_app.config["MED_SETTINGS"].supervised:
        abort(404)
    if RemovePasswordForm().validate_on_submit():
        set_password(_services().engine, "")
        flash("Mot de passe supprimé : l'interface est ouverte à tout le réseau.", "info")
    return redirect(url_for("settings.index", _anchor="acces"))


@bp.route("/setup")
def setup():
    settings = current_app.config["MED_SETTINGS"]
    return render_template("setup.html", settings=settings, configured=_services().sync is not None,
                           yaml_path=(settings.data_dir / "settings.yaml").resolve())


from . import settings_pricing  # noqa: E402  (its routes join this blueprint)
