"""Who may use the app: the Supervisor's proxy under HA; an optional password standalone; a token on
the direct-access listener."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from ..services import access
from .context import app_services, app_settings
from .plugin_routes import route_at

SUPERVISOR_PROXY = "172.30.32.2"
LOOPBACK = ("127.0.0.1", "::1")
OPEN_ENDPOINTS = {"security.login", "static", "health.healthz"}

bp = Blueprint("security", __name__)


class LoginForm(FlaskForm):
    password = PasswordField("Mot de passe", validators=[DataRequired()])


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n) for n in networks)


def _refuse(status: int, message: str, json: bool = False) -> Any:
    """A refusal as JSON for the API (or when asked), else as a page."""
    if json or request.path.startswith("/api/"):
        return jsonify(error={"code": "forbidden" if status == 403 else "unauthorized", "message": message}), status
    return render_template("error.html", status=status, message=message), status


def _bearer_matches(header: str, token: str) -> bool:
    """``Authorization: Bearer <token>`` (scheme in any case), compared in constant time on UTF-8 bytes."""
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def check_access() -> Any:
    """Runs before every request; returns a refusal or None."""
    settings = app_settings()
    remote = request.remote_addr or ""
    port = request.environ.get("SERVER_PORT", "")
    if settings.direct_port and port == str(settings.direct_port):
        if request.method == "GET" and request.path == "/healthz":
            return None
        route = route_at(request.path)
        if request.method != "GET" or not (request.path.startswith("/api/v1/") or (route and route.direct)):
            return _refuse(403, "the direct-access port serves only the read-only API and the plugins' read-only "
                                "routes", json=True)
        token = settings.api_token.reveal()
        if token and not _bearer_matches(request.headers.get("Authorization", ""), token):
            refusal, status = _refuse(401, "a bearer token is required on the direct-access port", json=True)
            refusal.headers["WWW-Authenticate"] = 'Bearer realm="myelectricaldata"'
            return refusal, status
        return None
    if settings.supervised:
        if remote != SUPERVISOR_PROXY and remote not in LOOPBACK:
            return _refuse(403, "only Home Assistant's ingress may open this page")
        return None
    if request.endpoint in OPEN_ENDPOINTS or remote in LOOPBACK or _in(remote, settings.trusted_networks):
        return None
    if access.has_password(app_services().engine) and not session.get("signed_in"):
        if request.path.startswith("/api/") or route_at(request.path):  # machines get 401, not the sign-in page
            return _refuse(401, "sign in first")
        return redirect(url_for("security.login", next=request.full_path))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        if access.password_matches(app_services().engine, form.password.data):
            session["signed_in"] = True
            target = request.args.get("next", "")
            if target.startswith("/") and not target.startswith("//"):
                return redirect(request.script_root + target)
            return redirect(url_for("dashboard.index"))
        flash("Mot de passe incorrect.", "error")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("security.login"))
