"""Who may use the app: the Supervisor's proxy under HA; standalone, the trusted places (loopback, unless
``TRUST_LOOPBACK`` is off, and ``TRUSTED_NETWORKS``) and the signed-in, the others seeing only the first-run page
until a password is set; a token on the direct-access listener."""

from __future__ import annotations

import hmac
import ipaddress
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from wtforms import PasswordField
from wtforms.validators import InputRequired

from ..services import access
from ..services.login_throttle import LoginThrottle
from .context import app_services, app_settings
from .forms import FrenchForm
from .hosts import host_allowed, host_name
from .plugin_routes import route_at
from .redirects import local_target

SUPERVISOR_PROXY = "172.30.32.2"
LOOPBACK = ("127.0.0.1", "::1")
ALWAYS_OPEN = {"static", "health.healthz"}
THROTTLE = "med_login_throttle"

bp = Blueprint("security", __name__)


class LoginForm(FrenchForm):
    password = PasswordField("Mot de passe", validators=[InputRequired("Indiquez le mot de passe.")])


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n) for n in networks)


def refuse(status: int, message: str, json: bool = False) -> Any:
    """A refusal as JSON for the API (or when asked), else as a page without the menu."""
    if json or request.path.startswith("/api/"):
        code = {401: "unauthorized", 403: "forbidden", 429: "too_many_requests"}.get(status, "bad_request")
        return jsonify(error={"code": code, "message": message}), status
    return render_template("error.html", status=status, message=message, bare=True), status


def _bearer_matches(header: str, token: str) -> bool:
    """``Authorization: Bearer <token>`` (scheme in any case), compared in constant time on UTF-8 bytes."""
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def bearer_given() -> bool:
    """True when the request carries the ``API_TOKEN`` as its bearer token (never when no token is set)."""
    token = app_settings().api_token.reveal()
    return bool(token) and _bearer_matches(request.headers.get("Authorization", ""), token)


def throttle() -> LoginThrottle:
    """The app's count of failed sign-ins per client."""
    return current_app.extensions.setdefault(THROTTLE, LoginThrottle())


def client() -> str:
    return request.remote_addr or "?"


def now() -> datetime:
    return datetime.now(UTC)


def current_access() -> access.Access:
    """The password's version and this browser's session, read once per request (and only when needed)."""
    if "access" not in g:
        g.access = access.access(app_services().engine, session.get("sid"), now())
    state: access.Access = g.access
    return state


def signed_in() -> bool:
    """True when the browser's session is open and was opened under the password in force."""
    state = current_access()
    return state.session_open and session.get("pw") == state.version


def sign_in() -> None:
    """Open a new session for this browser (a new cookie: nothing of the one before is kept)."""
    engine = app_services().engine
    session.clear()
    session["sid"] = access.open_session(engine, now())
    session["pw"] = access.password_version(engine)
    session.permanent = True


def fresh_csrf_token() -> None:
    """Forget the form token of this browser, so the next form rendered carries a new one."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def _direct(settings: Any) -> Any:
    if request.method == "GET" and request.path == "/healthz":
        return None
    route = route_at(request.path)
    if request.method != "GET" or not (request.path.startswith("/api/v1/") or (route and route.direct)):
        return refuse(403, "the direct-access port serves only the read-only API and the plugins' read-only "
                           "routes", json=True)
    if not bearer_given():
        refusal, status = refuse(401, "a bearer token is required on the direct-access port", json=True)
        refusal.headers["WWW-Authenticate"] = 'Bearer realm="myelectricaldata"'
        return refusal, status
    return None


def check_access() -> Any:
    """Runs before every request; returns a refusal or None."""
    settings = app_settings()
    remote = request.remote_addr or ""
    if settings.direct_port and request.environ.get("SERVER_PORT", "") == str(settings.direct_port):
        return _direct(settings)
    if settings.supervised:
        if remote != SUPERVISOR_PROXY and remote not in LOOPBACK:
            return refuse(403, "only Home Assistant's ingress may open this page")
        return None
    if request.endpoint in ALWAYS_OPEN:
        return None
    if not host_allowed(request.host, settings.allowed_hosts):
        name = host_name(request.host)
        return refuse(400, f"L'application ne répond pas sous le nom « {name} ». Si c'est bien le nom par lequel "
                           f"vous l'ouvrez, ajoutez-le au réglage ALLOWED_HOSTS (par exemple ALLOWED_HOSTS={name}) "
                           "et redémarrez-la.")
    if (settings.trust_loopback and remote in LOOPBACK) or _in(remote, settings.trusted_networks):
        return None
    machine = request.path.startswith("/api/") or route_at(request.path) is not None  # 401, never a page
    if not current_access().protected:
        if request.endpoint == "first_run.page":
            return None
        if machine:
            return refuse(401, "no password protects this app yet: set one on its first-run page")
        return redirect(url_for("first_run.page"))
    if request.endpoint in ("security.login", "security.logout") or signed_in():
        return None
    if machine:
        return refuse(401, "sign in first")
    return redirect(url_for("security.login", next=request.full_path))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if app_settings().supervised:
        abort(404)
    if not current_access().protected:
        return redirect(url_for("dashboard.index"))
    form, status = LoginForm(), 200
    if request.method == "POST":
        wait = throttle().wait(client())
        if wait:
            flash(f"Trop d'essais : réessayez dans {wait:.0f} s.", "error")
            status = 429
        elif form.validate_on_submit():
            if access.password_matches(app_services().engine, form.password.data):
                throttle().succeeded(client())
                sign_in()
                target = local_target(request.args.get("next"))
                return redirect(request.script_root + target if target else url_for("dashboard.index"))
            throttle().failed(client())
            flash("Mot de passe incorrect.", "error")
    fresh_csrf_token()
    shown = LoginForm(formdata=None)  # with the new token
    shown.password.errors = form.password.errors
    return render_template("login.html", form=shown, bare=True), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if app_settings().supervised:
        abort(404)
    access.close_session(app_services().engine, session.get("sid"), now())
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("security.login"))
