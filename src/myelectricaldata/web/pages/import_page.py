"""Importing Enedis download files into a PDL: the upload (on the PDL's settings page), preview, confirmation."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from wtforms import HiddenField, MultipleFileField
from wtforms.validators import InputRequired

from ...services import history_import, preferences, staging
from ...services.history_import import ImportPreview, ImportRefused
from ...services.lock import SyncBusy, lock_file
from ...services.usage_points import UsagePoint
from ..context import app_services, app_settings
from ..formatting import num
from ..forms import FrenchForm
from ..history_text import counts, span
from .settings_common import DATASET_WORDS, bp, usage_point_or_404

MAX_UPLOAD = 64 * 1024 * 1024  # two years of R63 CSV are under 5 MB; a year of weekly XLSX well under 2 MB
BUSY = "Une synchronisation est en cours : réessayez quand elle sera terminée. Rien n'a été écrit."


class UploadForm(FrenchForm):
    files = MultipleFileField("Fichiers Enedis (CSV ou XLSX, plusieurs à la fois)")


class ConfirmForm(FrenchForm):
    token = HiddenField(validators=[InputRequired()])


def section(up: UsagePoint) -> dict[str, Any]:
    """What the PDL page's import section shows: its form and, in the demo, the sample files to try."""
    settings = app_settings()
    samples = [p.name for p in history_import.demo_files(settings.data_dir)] if settings.demo else []
    return {"form": UploadForm(formdata=None), "samples": samples}


def _page(up: UsagePoint, preview: ImportPreview | None, token: str = "", status: int = 200,
          problems: tuple[str, ...] = ()) -> Any:
    pref = preferences.load(app_services().engine, up.usage_point_id)
    confirm = ConfirmForm(formdata=None, data={"token": token})
    return render_template("import_preview.html", up=up, label=up.label(pref.display_name), preview=preview,
                           confirm=confirm, upload=section(up), problems=problems, words=DATASET_WORDS,
                           span=span, counts=counts), status


def _uploaded(form: UploadForm) -> list[tuple[str, bytes]]:
    files = []
    for storage in form.files.data or []:
        if storage and storage.filename:
            files.append((PurePath(storage.filename.replace("\\", "/")).name[:200], storage.read()))
    return files


@bp.route("/settings/<pdl>/import", methods=["POST"])
def import_preview(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    if (request.content_length or 0) > MAX_UPLOAD:
        return _page(up, None, status=413, problems=(f"Envoi trop volumineux : au plus {MAX_UPLOAD // 2**20} Mo à la "
                                                     "fois.",))
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(up, None, status=400, problems=tuple(e for errors in form.errors.values() for e in errors))
    files = _uploaded(form)
    if not files:
        return _page(up, None, status=400, problems=("Choisissez au moins un fichier.",))
    preview = history_import.preview(app_services().engine, pdl, files)
    if preview.refused or not preview.ready:
        return _page(up, preview, status=400 if preview.refused else 200)
    return _page(up, preview, staging.stage(app_settings().data_dir, files))


@bp.route("/settings/<pdl>/import/confirm", methods=["POST"])
def import_confirm(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    form = ConfirmForm()
    data_dir = app_settings().data_dir
    files = staging.staged(data_dir, form.token.data or "") if form.validate_on_submit() else None
    if files is None:
        return _page(up, None, status=400, problems=("Cet aperçu a expiré : choisissez à nouveau les fichiers.",))
    services = app_services()
    try:
        done = history_import.run(services.engine, pdl, files, lock_file(data_dir), prices=services.prices)
    except SyncBusy:
        return _page(up, None, status=409, problems=(BUSY,))
    except ImportRefused as exc:
        staging.discard(data_dir, form.token.data)
        return _page(up, exc.preview, status=400)
    staging.discard(data_dir, form.token.data)
    pref = preferences.load(services.engine, pdl)
    flash(f"Import terminé : {num(done.written)} valeur(s) ajoutée(s) à {up.label(pref.display_name)}, marquées "
          "« fichier Enedis ». Les intervalles que la passerelle a fournis gardent ses valeurs.", "info")
    return redirect(url_for("settings.pdl", pdl=pdl, _anchor="import"))


@bp.route("/settings/import-sample/<name>")
def import_sample(name: str) -> Any:
    """A demo sample file, to try the import with."""
    settings = app_settings()
    found = {p.name: p for p in history_import.demo_files(settings.data_dir)} if settings.demo else {}
    if name not in found:
        abort(404)
    return send_file(found[name], as_attachment=True, download_name=name)
