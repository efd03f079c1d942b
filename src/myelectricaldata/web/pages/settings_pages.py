"""Settings: per-PDL preferences, the standalone password, first run."""

from __future__ import annotations

from dataclasses import fields
from datetime import time
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from ...config import Secret, Settings, mask_url
from ...energy.words import of_name, yes_no
from ...services import access, preferences
from ...services.errors import FieldError
from ...services.preferences import PdlPreferences
from ...services.usage_points import UsagePoint, usage_points
from ..context import app_services, app_settings
from ..first_run import one_time_code
from ..forms import ActionForm, CheckboxesField, FrenchForm, add_field_errors
from ..security import sign_in
from .settings_common import bp, dataset_choices, usage_point_or_404

SOURCE_WORDS = {"default": "par défaut", "environment": "environnement", "settings.yaml": "settings.yaml",
                "options.json": "options de l'add-on", "command line": "ligne de commande"}


def setting_text(value: object) -> str:
    """A deployment setting as a person reads it: oui/non, 08:30, a list with commas, a secret masked."""
    if isinstance(value, Secret):
        return "•••• (masqué)" if value else ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def deployment(settings: Settings) -> list[tuple[str, str, str]]:
    """(KEY, value, source) of each deployment setting (secrets masked, database passwords hidden)."""
    rows = []
    for f in fields(settings):
        if f.name in ("sources", "problems"):
            continue
        value = getattr(settings, f.name)
        text = mask_url(value) if f.name == "database_url" and value else setting_text(value)
        source = settings.sources.get(f.name, "default")
        rows.append((f.name.upper(), text or "—", SOURCE_WORDS.get(source, source)))
    return rows


class PreferencesForm(FrenchForm):
    display_name = StringField("Nom affiché", validators=[Optional(), Length(max=100)])
    enabled = BooleanField("Synchroniser ce PDL")
    datasets = CheckboxesField("Données à synchroniser")

    def validate_datasets(self, field: CheckboxesField) -> None:
        if self.enabled.data and not field.data:
            raise ValidationError("Cochez au moins une donnée, ou décochez « Synchroniser ce PDL ».")


class PasswordForm(FrenchForm):
    password = PasswordField("Nouveau mot de passe", validators=[InputRequired(), Length(min=8, max=200)])
    confirm = PasswordField("Confirmation", validators=[
        InputRequired(), EqualTo("password", "Les deux mots de passe ne sont pas identiques.")])


def _preferences_form(up: UsagePoint, prefs: PdlPreferences, bound: bool = False) -> PreferencesForm:
    choices = dataset_choices(up)
    data = {"display_name": prefs.display_name, "enabled": prefs.enabled,
            "datasets": [name for name, _ in choices if prefs.syncs(name)]}
    extra = {} if bound else {"formdata": None}
    form = PreferencesForm(prefix=f"p{up.usage_point_id}", data=data, **extra)
    form.datasets.choices = choices
    return form


def _index(bound: tuple[str, PreferencesForm] | None = None, password_form: PasswordForm | None = None,
           status: int = 200) -> Any:
    services = app_services()
    settings = app_settings()
    prefs = preferences.load_all(services.engine)
    cards = []
    for up in usage_points(services.engine):
        pdl = up.usage_point_id
        pref = prefs.get(pdl, PdlPreferences(pdl))
        form = bound[1] if bound and bound[0] == pdl else _preferences_form(up, pref)
        cards.append({"up": up, "label": up.label(pref.display_name), "form": form, "prefs": pref})
    return render_template(
        "settings.html", cards=cards, no_credentials=services.sync is None, settings=settings,
        deployment=deployment(settings), password_form=password_form or PasswordForm(formdata=None),
        remove_form=ActionForm(), has_password=not settings.supervised and access.has_password(services.engine),
        fixed_password=bool(settings.ui_password)), status


@bp.route("/settings")
def index() -> Any:
    return _index()


@bp.route("/settings/<pdl>", methods=["POST"])
def save(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    engine = app_services().engine
    current = preferences.load(engine, pdl)
    form = _preferences_form(up, current, bound=True)
    if not form.validate_on_submit():
        return _index((pdl, form), status=400)
    every = {name for name, _ in form.datasets.choices}
    chosen = frozenset(form.datasets.data) or current.datasets  # a disabled PDL may keep its choice
    prefs = PdlPreferences(pdl, (form.display_name.data or "").strip(), form.enabled.data,
                           frozenset() if chosen >= every else chosen)
    try:
        preferences.save(engine, prefs)
    except FieldError as exc:
        add_field_errors(form, exc, fallback="display_name")
        return _index((pdl, form), status=400)
    flash(f"Réglages {of_name(up.label(prefs.display_name))} enregistrés : ils s'appliquent dès la prochaine "
          "synchronisation, sans redémarrage.", "info")
    return redirect(url_for("settings.index", _anchor=f"pdl-{pdl}"))


@bp.route("/settings/password", methods=["POST"])
def password() -> Any:
    settings = app_settings()
    if settings.supervised:
        abort(404)
    if settings.ui_password:
        flash("Le mot de passe est fixé par le réglage UI_PASSWORD : changez-le là, puis redémarrez.", "error")
        return redirect(url_for("settings.index", _anchor="acces"))
    form = PasswordForm()
    if not form.validate_on_submit():
        return _index(password_form=form, status=400)
    access.set_password(app_services().engine, form.password.data)  # every session ends
    sign_in()  # except this browser's, which gets a new one
    flash("Mot de passe enregistré : il est demandé aux appareils hors des réseaux de confiance ; les autres "
          "connexions sont terminées.", "info")
    return redirect(url_for("settings.index", _anchor="acces"))


@bp.route("/settings/password/remove", methods=["POST"])
def remove_password() -> Any:
    settings = app_settings()
    if settings.supervised:
        abort(404)
    if settings.ui_password:
        flash("Le mot de passe est fixé par le réglage UI_PASSWORD : retirez-le là, puis redémarrez.", "error")
    elif ActionForm().validate_on_submit():
        access.set_password(app_services().engine, "")
        one_time_code().current()  # written to the log for the next first run
        flash("Mot de passe supprimé : seuls cette machine et les réseaux de confiance ouvrent l'interface ; les "
              "autres appareils voient la page de première connexion.", "info")
    return redirect(url_for("settings.index", _anchor="acces"))


@bp.route("/setup")
def setup() -> Any:
    settings = app_settings()
    return render_template("setup.html", settings=settings, configured=app_services().sync is not None,
                           yaml_path=(settings.data_dir / "settings.yaml").resolve())
