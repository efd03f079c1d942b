"""Exporters: one tab per exporter with a form built from its config schema, its status, and the plugins list."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from wtforms import BooleanField, Field, IntegerField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from ...exporters.base import BaseExporter
from ...exporters.manager import ExporterManager, ExportOutcome
from ...exporters.schema import ConfigField
from ...services.errors import FieldError
from ...services.outcome import Outcome
from ...services.schedule import next_sync_at
from ..context import app_services
from ..formatting import paris_time
from ..forms import ActionForm, CommaDecimalField, FrenchForm, add_field_errors

bp = Blueprint("exporters", __name__)

PREFIX = "cfg_"  # form attribute of a config field: keeps schema names off FlaskForm's own attributes
SOURCE_WORDS = {"built-in": "intégré", "entry point": "point d'entrée", "folder": "dossier"}
SECRET_PLACEHOLDER = "••••"
RESET_WORDS = {  # what a reset deletes in the target, per exporter
    "homeassistant": "Les statistiques que cette application a importées dans le tableau de bord Énergie de Home "
                     "Assistant sont effacées (l'historique de ces statistiques disparaît de Home Assistant), puis "
                     "elles sont toutes réimportées depuis la base locale.",
}
GRACE = 1.5  # seconds "Exporter maintenant" waits for a quick export's outcome before leaving it to run


def _field(f: ConfigField, stored_secret: bool) -> Field:
    label = f.label or f.name
    options: dict[str, Any] = {"validators": [Optional()], "description": f.help}
    if f.type == "int":
        return IntegerField(label, **options)
    if f.type == "float":
        return CommaDecimalField(label, places=None, **options)
    if f.type == "bool":
        return BooleanField(label, description=f.help)
    if f.type == "password":
        return PasswordField(label, render_kw={"placeholder": SECRET_PLACEHOLDER} if stored_secret else {},
                             **options)
    if f.type == "choice":
        choices = [SelectChoice(c, label) for c, label in zip(f.choices, f.labels or f.choices, strict=True)]
        if not f.required or f.default in (None, ""):
            choices.insert(0, SelectChoice("", "—"))
        return SelectField(label, choices=choices, **options)
    return StringField(label, **options)


def _form(name: str, bound: bool = False) -> FrenchForm:
    """The exporter's form, built from its schema: filled from the request when ``bound``, else from the store."""
    manager = _manager()
    fields = manager.schema(name)
    settings = manager.settings(name)
    stored = settings.config or {}

    class ExporterForm(FrenchForm):
        enabled = BooleanField("Activé")

    for f in fields:
        setattr(ExporterForm, PREFIX + f.name, _field(f, bool(stored.get(f.name))))
    public = manager.public_config(name)
    data = {PREFIX + f.name: (None if f.secret else public.get(f.name)) for f in fields}
    data["enabled"] = settings.enabled
    return ExporterForm(data=data, **({} if bound else {"formdata": None}))


def _submitted(name: str, form: FrenchForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in _manager().schema(name):
        value = getattr(form, PREFIX + f.name).data
        if f.type == "float" and value is not None:
            value = float(value)
        out[f.name] = value
    return out


def _manager() -> ExporterManager:
    manager = app_services().exporters
    if manager is None:
        abort(404)
    return manager


def _known(name: str) -> None:
    if name not in _manager().classes:
        abort(404)


SECTIONS = (("connection", "Connexion", False), ("content", "Ce qui est envoyé", False),
            ("advanced", "Avancé", True))  # (key, title, folded in <details>)


def sections(cls: type[BaseExporter], names: list[str]) -> list[dict[str, Any]]:
    """The schema's fields grouped for the form: connection, what is sent, advanced (folded); the mapping table's
    fields are left to it. A plugin that groups nothing gets one section."""
    group = {n: "connection" for n in cls.connection_fields} | {n: "advanced" for n in cls.advanced_fields}
    listed = [n for n in names if n not in cls.mapping_fields]
    out = []
    for key, title, folded in SECTIONS:
        fields = [PREFIX + n for n in listed if group.get(n, "content") == key]
        if fields:
            out.append({"key": key, "title": title if group else "Réglages", "folded": folded, "fields": fields})
    return out


def next_export(enabled: bool) -> str:
    """When an enabled exporter next sends by itself: after the next scheduled sync (Paris time), "" when unknown."""
    if not enabled:
        return ""
    services = app_services()
    at = next_sync_at(services.engine, services.clock())
    return paris_time(at.astimezone(UTC).replace(tzinfo=None)) if at else ""


def _page(tab: str | None = None, form: FrenchForm | None = None, test_result: tuple[bool, str] | None = None,
          status: int = 200, found: dict[str, list[tuple[str, str]]] | None = None, lookup_error: str = "") -> Any:
    manager = app_services().exporters
    if manager is None:
        return render_template("exporters.html", available=False), status
    names = sorted(manager.classes)
    tab = tab if tab in names else (names[0] if names else None)
    current = None
    if tab:
        cls = manager.exporter_class(tab)
        run = manager.status(tab)
        settings = manager.settings(tab)
        names_in_schema = [f.name for f in manager.schema(tab)]
        current = {
            "name": tab, "title": cls.title or tab, "description": cls.description, "version": cls.version,
            "form": form or _form(tab),
            "config_fields": [PREFIX + n for n in names_in_schema],
            "sections": sections(cls, names_in_schema), "mapping": [PREFIX + n for n in names_in_schema
                                                                    if n in cls.mapping_fields],
            "pushes": cls.pushes, "activated": request.args.get("active") == "1" and settings.enabled,
            "next_export": next_export(settings.enabled and cls.pushes),
            "has_secret": any(f.secret for f in manager.schema(tab)),
            "enabled": settings.enabled,
            "last_export": paris_time(run.last_export_at), "items_sent": run.items_sent,
            "last_error": run.last_error, "retry_at": paris_time(run.retry_at), "failures": run.failures,
            "can_reset": manager.can_reset(tab), "can_lookup": manager.can_lookup(tab),
            "notes": manager.notes(tab, request.url_root),
            "found": {PREFIX + k: v for k, v in (found or {}).items()}, "lookup_error": lookup_error,
            "running": manager.run_state(tab).running,
        }
    tabs = [(n, manager.exporter_class(n).title or n) for n in names]
    plugins = [{"row": p, "source": SOURCE_WORDS.get(p.source, p.source)} for p in manager.plugins()]
    return render_template("exporters.html", available=True, tabs=tabs, tab=tab, current=current,
                           plugins=plugins, action_form=ActionForm(), test_result=test_result,
                           folder=manager.user_folder), status


@bp.route("/exporters")
def index():
    return _page(request.args.get("tab"))


@bp.route("/exporters/<name>", methods=["POST"])
def save(name: str):
    _known(name)
    form = _form(name, bound=True)
    if not form.validate_on_submit():
        return _page(name, form, status=400)
    try:
        _manager().save_config(name, _submitted(name, form), bool(form.enabled.data))
    except FieldError as exc:
        add_field_errors(form, FieldError({PREFIX + field: message for field, message in exc.errors.items()}))
        return _page(name, form, status=400)
    cls = _manager().exporter_class(name)
    title = cls.title or name
    if not form.enabled.data:
        flash(f"Réglages de l'exportateur {title} enregistrés (désactivé) : rien n'est envoyé.", "info")
        return redirect(url_for("exporters.index", tab=name))
    if not cls.pushes:
        flash(f"Réglages de l'exportateur {title} enregistrés (activé).", "info")
        return redirect(url_for("exporters.index", tab=name))
    when = next_export(True)
    flash(f"Réglages de l'exportateur {title} enregistrés (activé) : il envoie après chaque synchronisation"
          + (f", la prochaine le {when} (heure de Paris)." if when else ".") , "info")
    return redirect(url_for("exporters.index", tab=name, active=1))


def _trial(name: str, allowed: bool = True):
    """The submitted (unsaved) form of an exporter, or the 400 page when it cannot be tried."""
    _known(name)
    form = _form(name, bound=True)
    if not form.validate_on_submit() or not allowed:
        return form, _page(name, form, status=400)
    return form, None


@bp.route("/exporters/<name>/test", methods=["POST"])
def test(name: str):
    form, refused = _trial(name)
    if refused:
        return refused
    ok, message = _manager().test_connection(name, _submitted(name, form))
    return _page(name, form, test_result=(ok, message))


@bp.route("/exporters/<name>/lookup", methods=["POST"])
def lookup(name: str):
    form, refused = _trial(name, name in _manager().classes and _manager().can_lookup(name))
    if refused:
        return refused
    found, error = _manager().lookup(name, _submitted(name, form))
    if not error and not any(found.values()):
        error = "rien trouvé dans la cible"
    for field in _manager().exporter_class(name).mapping_fields:  # the table is filled with the best match
        box = getattr(form, PREFIX + field, None)
        if box is not None and box.data in (None, "") and found.get(field):
            box.data = int(found[field][0][0]) if found[field][0][0].isdigit() else found[field][0][0]
            box.raw_data = [str(box.data)]
    return _page(name, form, found=found, lookup_error=error)


@bp.route("/exporters/<name>/run", methods=["POST"])
def run(name: str):
    _known(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    if _started(name):
        ended, outcome = _manager().wait(name, GRACE)
        if ended:
            _flash_outcome(outcome)
        else:
            flash("Export lancé en arrière-plan : sa progression s'affiche ci-dessous, la page reste utilisable.",
                  "info")
    return redirect(url_for("exporters.index", tab=name))


@bp.route("/exporters/<name>/reset", methods=["POST"])
def reset(name: str):
    """Reset after a confirmation page (a second POST with ``confirm=oui``): it deletes what the target holds."""
    _known(name)
    form = ActionForm()
    if not form.validate_on_submit() or not _manager().can_reset(name):
        abort(400)
    if request.form.get("confirm") != "oui":
        title = _manager().exporter_class(name).title or name
        return render_template(
            "confirm.html", title=f"Réinitialiser l'exportateur {title} ?", form=form,
            lines=[RESET_WORDS.get(name, "Ce que cet exportateur a envoyé à sa cible est effacé, puis tout est renvoyé "
                                         "depuis la base locale."),
                   "Les données de la base locale ne sont pas touchées. L'envoi complet peut prendre quelques "
                   "minutes ; sa progression s'affiche sur la page de l'exportateur."],
            action=url_for("exporters.reset", name=name), button="Réinitialiser et réimporter",
            back=url_for("exporters.index", tab=name), items=[])
    if not _started(name, reset=True):
        return redirect(url_for("exporters.index", tab=name))
    ended, outcome = _manager().wait(name, GRACE)
    if ended and outcome is not None and outcome.ok and outcome.message and not outcome.items_sent:
        flash(f"Réinitialisation faite : {outcome.message}.", "info")
    elif ended:
        _flash_outcome(outcome)
    else:
        flash("Réinitialisation lancée en arrière-plan : sa progression s'affiche ci-dessous.", "info")
    return redirect(url_for("exporters.index", tab=name))


@bp.route("/exporters/<name>/progress")
def progress(name: str):
    """The running export's progress, for the page's poller (``app.js``)."""
    _known(name)
    state = _manager().run_state(name)
    outcome = state.outcome
    message = state.progress.step if state.running else (
        "" if outcome is None else f"Terminé : {outcome.message}" if outcome.ok else f"Échec : {outcome.error}")
    return jsonify({"running": state.running, "done": state.progress.done, "total": state.progress.total,
                    "message": message})


def _started(name: str, reset: bool = False) -> bool:
    """Start a run of the exporter in the background; False (with a message) when it cannot start."""
    manager = _manager()
    if not manager.settings(name).enabled and not reset:
        _flash_outcome(None)
        return False
    if not manager.start(name, reset=reset):
        flash("Un export de cet exportateur est déjà en cours : sa progression s'affiche ci-dessous.", "info")
        return False
    return True


def _flash_outcome(outcome: ExportOutcome | None) -> None:
    if outcome is None:
        flash("Exportateur désactivé : activez-le et enregistrez avant d'exporter.", "error")
    elif outcome.outcome == Outcome.ERROR and outcome.retry_at is None:
        flash(f"La réinitialisation a échoué : {outcome.error}. Rien n'a été effacé ni renvoyé.", "error")
    elif outcome.ok:
        detail = f" ({outcome.message})" if outcome.message else ""
        flash(f"Export terminé : {outcome.items_sent} élément(s) envoyé(s){detail}.", "info")
    else:
        flash(f"L'export a échoué : {outcome.error}. Nouvel essai automatique vers {paris_time(outcome.retry_at)}.",
              "error")
