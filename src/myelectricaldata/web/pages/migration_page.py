"""Migrating from the legacy client: where its database is, the dry-run report, the confirmation."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ...config import mask_url
from ...services import legacy_migration, legacy_source, staging
from ...services.legacy_migration import MigrationReport
from ...services.legacy_source import LegacyLocation
from ...services.lock import SyncBusy, lock_file
from ..context import app_services, app_settings
from ..formatting import WEEKDAYS, num
from ..forms import FrenchForm
from ..history_text import HANDOVER, counts, span
from .import_page import BUSY
from .settings_common import DATASET_WORDS, bp

OTHER = "other"


class LegacyForm(FrenchForm):
    found = RadioField("Base de l'ancien client", validators=[InputRequired("Choisissez une base.")])
    other = StringField("Chemin du fichier (cache.db, myelectricaldata.db) ou URL PostgreSQL",
                        validators=[Optional(), Length(max=500)])


class ConfirmForm(FrenchForm):
    token = HiddenField(validators=[InputRequired()])


def _form(locations: list[LegacyLocation], bound: bool = False) -> LegacyForm:
    form = LegacyForm(**({} if bound else {"formdata": None, "data": {"found": "0" if locations else OTHER}}))
    form.found.choices = [(str(i), f"{loc.what} : {loc.shown}") for i, loc in enumerate(locations)]
    form.found.choices.append((OTHER, "Autre chemin ou adresse"))
    return form


def _page(form: LegacyForm | None = None, report: MigrationReport | None = None, token: str = "",
          status: int = 200, problem: str = "") -> Any:
    settings = app_settings()
    locations = legacy_source.find(settings)
    if form is not None and form.other.data:
        form.other.data = mask_url(form.other.data)  # a typed password is never shown back
    return render_template("legacy_migration.html", form=form or _form(locations), report=report,
                           confirm=ConfirmForm(formdata=None, data={"token": token}), problem=problem,
                           folders=legacy_source.folders(settings), handover=HANDOVER, words=DATASET_WORDS,
                           weekdays=WEEKDAYS, span=span, counts=counts), status


@bp.route("/settings/migration")
def migration() -> Any:
    return _page()


@bp.route("/settings/migration", methods=["POST"])
def migration_preview() -> Any:
    locations = legacy_source.find(app_settings())
    form = _form(locations, bound=True)
    if not form.validate_on_submit():
        return _page(form, status=400)
    if form.found.data == OTHER:
        source = (form.other.data or "").strip()
        if not source:
            form.other.errors = [*form.other.errors, "Indiquez le chemin de la base ou son adresse."]
            return _page(form, status=400)
    else:
        source = locations[int(form.found.data)].source
    services = app_services()
    try:
        report = legacy_migration.preview(services.engine, source, services.today())
    except legacy_source.LegacyError as exc:
        return _page(form, status=400, problem=str(exc))
    token = staging.stage(app_settings().data_dir, [("source", source.encode())]) if report.ready else ""
    return _page(form, report, token)


@bp.route("/settings/migration/confirm", methods=["POST"])
def migration_confirm() -> Any:
    form = ConfirmForm()
    data_dir = app_settings().data_dir
    kept = staging.staged(data_dir, form.token.data or "") if form.validate_on_submit() else None
    if not kept:
        return _page(status=400, problem="Cet essai à blanc a expiré : analysez la base à nouveau.")
    services = app_services()
    try:
        report = legacy_migration.migrate(services.engine, kept[0][1].decode(), lock_file(data_dir), services.today(),
                                          prices=services.prices)
    except SyncBusy:
        return _page(status=409, problem=BUSY)
    except legacy_source.LegacyError as exc:
        return _page(status=400, problem=str(exc))
    staging.discard(data_dir, form.token.data)
    flash(f"Migration terminée : {num(report.written)} valeur(s) de {len(report.pdls)} PDL reprises de l'ancien "
          f"client, {num(report.tempo_days)} jour(s) Tempo. {HANDOVER} (voir ci-dessous).", "info")
    return redirect(url_for("settings.migration", _anchor="apres"))
