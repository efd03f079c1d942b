"""The first-run page: until a password protects the standalone UI, a client outside the trusted places sees only
this page, where a password is set with the one-time code the app writes in its log (``docker logs``) when it starts
unprotected. Whoever can read the log owns the machine; a neighbour on the network cannot."""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from ..config import Settings
from ..services import access
from .context import WebServices, app_services, app_settings
from .forms import FrenchForm
from .security import client, current_access, fresh_csrf_token, sign_in, throttle

log = logging.getLogger(__name__)
KEY = "med_first_run"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O nor 1/I: read from a log, typed by hand

bp = Blueprint("first_run", __name__)


class OneTimeCode:
    """The code that lets a remote browser set the first password: made when needed, written to the log, spent once."""

    def __init__(self) -> None:
        self._code = ""
        self._lock = threading.Lock()

    def current(self) -> str:
        """The code in force, made (and logged) when there is none."""
        with self._lock:
            if not self._code:
                raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
                self._code = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
                log.warning("No password protects the web UI yet: other machines see only its first-run page, where "
                            "a password is set with this one-time code: %s (set UI_PASSWORD or TRUSTED_NETWORKS to "
                            "skip this step)", self._code)
            return self._code

    def matches(self, given: str) -> bool:
        code = self.current().replace("-", "")
        typed = "".join(c for c in given.upper() if c.isalnum())
        return hmac.compare_digest(typed.encode(), code.encode())

    def spend(self) -> None:
        with self._lock:
            self._code = ""


class FirstRunForm(FrenchForm):
    code = StringField("Code à usage unique", validators=[InputRequired("Recopiez le code du journal.")])
    password = PasswordField("Mot de passe", validators=[InputRequired(), Length(min=8, max=200)])
    confirm = PasswordField("Confirmation", validators=[
        InputRequired(), EqualTo("password", "Les deux mots de passe ne sont pas identiques.")])


def one_time_code() -> OneTimeCode:
    return current_app.extensions[KEY]


def install(app: Flask, settings: Settings, services: WebServices) -> None:
    """Keep the app's one-time code, and write it to the log at once when the standalone UI has no password."""
    app.extensions[KEY] = code = OneTimeCode()
    if settings.supervised:
        return
    try:
        protected = access.has_password(services.engine)
    except Exception:  # a database not ready yet: the code is made when the first-run page first needs it
        log.debug("first run: the password could not be read at start-up", exc_info=True)
        return
    if not protected:
        code.current()


@bp.route("/first-run", methods=["GET", "POST"])
def page() -> Any:
    if app_settings().supervised:
        abort(404)
    if current_access().protected:
        return redirect(url_for("security.login"))
    one_time_code().current()  # in the log already, unless the password was removed since
    form, status = FirstRunForm(), 200
    if form.is_submitted():
        wait = throttle().wait(client())
        if wait:
            flash(f"Trop d'essais : réessayez dans {wait:.0f} s.", "error")
            status = 429
        elif form.validate():
            if one_time_code().matches(form.code.data):
                throttle().succeeded(client())
                access.set_password(app_services().engine, form.password.data)
                one_time_code().spend()
                sign_in()
                flash("Mot de passe enregistré : il est demandé à toute machine hors des réseaux de confiance.", "info")
                return redirect(url_for("dashboard.index"))
            throttle().failed(client(), "first-run code")
            form.code.errors = ["Code incorrect : recopiez celui du journal de l'application."]
            status = 400
        else:
            status = 400
    fresh_csrf_token()
    shown = FirstRunForm(formdata=None, data={"code": form.code.data})
    for name in ("code", "password", "confirm"):
        shown[name].errors = form[name].errors
    return render_template("first_run.html", form=shown, bare=True), status
