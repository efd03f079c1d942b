"""Jeedom's core API as the Jeedom exporter uses it: JSON-RPC and HTTP-API calls, its errors in French.

Every answer is HTTP 200, errors included (plain text in the HTTP API, an "error" object in JSON-RPC, whose code is
not to be trusted); a refused key costs a 5-second sleep on Jeedom's side and counts toward an IP ban (then served as
404). Messages name the endpoint (a password in the URL masked) and the command id, never the key.
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime
from typing import Any

import requests

from ...config import mask_url
from ...energy.timeline import PARIS
from ..stopping import http_session

log = logging.getLogger(__name__)

API_PATH = "/core/api/jeeApi.php"
MIN_KEY_LENGTH = 16  # jeedom::apiAccess refuses shorter keys
AUTH_SLEEP = 5  # seconds Jeedom sleeps before answering a refused key
UNKNOWN_COMMAND_CODES = {701, 702}  # cmd::byId / cmd::event "Commande introuvable" (-32701, -32702 thrown)
NO_CODE = -32000  # an exception thrown without a code
AUTH_WORDS = ("autorisé", "autorise", "clé api", "cle api")
REASONS = {  # connection failures, as the OS words them -> French
    "connection refused": "connexion refusée",
    "name or service not known": "nom d'hôte inconnu",
    "nodename nor servname": "nom d'hôte inconnu",
    "temporary failure in name resolution": "nom d'hôte non résolu",
    "no route to host": "aucune route vers l'hôte",
    "network is unreachable": "réseau injoignable",
    "connection reset": "connexion coupée par Jeedom",
}


# -- errors ------------------------------------------------------------------------------------------------------------
class JeedomError(RuntimeError):
    """Jeedom could not be used; the message is French, names the endpoint and never the key."""


class JeedomAuthError(JeedomError):
    """Jeedom refused the API key."""


class JeedomUnreachable(JeedomError):
    """No answer at all: host unknown, connection refused, or time-out."""


class JeedomCommandError(JeedomError):
    """Jeedom refused one value (unknown command id, or an error tied to that call): the others can go on."""

    def __init__(self, message: str, cmd_id: int | str, code: int | None = None) -> None:
        super().__init__(message)
        self.cmd_id, self.code = cmd_id, code


def local(moment: datetime) -> datetime:
    """A moment in Paris time (naive times from the database are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(PARIS)


def jeedom_time(moment: datetime) -> str:
    """Jeedom's ``datetime`` format: ``Y-m-d H:i:s``, local time."""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S")


def endpoint_of(url: str) -> str:
    """``http://jeedom.local`` (or with ``/core/api/jeeApi.php`` already) -> the API endpoint."""
    base = (url or "").strip().rstrip("/")
    if not base:
        raise JeedomError("URL de Jeedom manquante (par exemple http://jeedom.local)")
    if "://" not in base:
        base = "http://" + base
    return base if base.endswith(API_PATH) else base + API_PATH


def _is_auth_refusal(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in AUTH_WORDS)


def _normal_code(code: Any) -> int | None:
    """Jeedom sends ``-32000 - exceptionCode``: -32702 thrown arrives as 702; either form is taken."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        return None
    return -32000 - number if number < NO_CODE else number


def _reason(exc: BaseException) -> str:
    """The OS-level reason of a connection failure in French (urllib3's wrapping, which holds the URL, left out)."""
    text = str(exc).lower()
    return next((french for english, french in REASONS.items() if english in text), "hôte injoignable")


# -- the client --------------------------------------------------------------------------------------------------------
class JeedomClient:
    """Jeedom's endpoint through JSON-RPC (POST JSON) or the HTTP API (POST form: the key stays out of URLs)."""

    def __init__(self, url: str, key: str, timeout: float = 15.0) -> None:
        self.endpoint = endpoint_of(url)
        self.shown = mask_url(self.endpoint)  # for messages: a password in the URL stays out
        self.key = (key or "").strip()
        self.timeout = float(timeout)
        self.session = http_session()  # its calls end at the application's stop
        self._ids = itertools.count(1)

    def __enter__(self) -> JeedomClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def _scrub(self, text: str) -> str:
        text = str(text)
        return text.replace(self.key, "****") if self.key else text

    def _check_key(self) -> None:
        if len(self.key) < MIN_KEY_LENGTH:
            raise JeedomAuthError(f"clé API trop courte pour Jeedom ({self.shown}) : une clé Jeedom fait au moins "
                                  f"{MIN_KEY_LENGTH} caractères ; rien n'a été envoyé (Jeedom aurait compté un échec "
                                  f"de connexion)")

    def _post(self, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.post(self.endpoint, timeout=(self.timeout, self.timeout), **kwargs)
        except requests.exceptions.ConnectTimeout:
            raise JeedomUnreachable(f"Jeedom injoignable à {self.shown} : pas de connexion en "
                                    f"{self.timeout:g} s (adresse ou port faux, pare-feu ?)") from None
        except requests.exceptions.Timeout:
            raise JeedomUnreachable(
                f"Jeedom ({self.shown}) n'a pas répondu en {self.timeout:g} s. Une clé API refusée fait attendre "
                f"Jeedom {AUTH_SLEEP} s avant de répondre : vérifiez la clé, ou allongez le délai d'attente") from None
        except requests.exceptions.SSLError:
            raise JeedomUnreachable(f"certificat HTTPS de Jeedom refusé ({self.shown}) : certificat auto-signé ? "
                                    f"Sur le réseau local, utilisez l'adresse en http://") from None
        except requests.exceptions.InvalidURL:
            raise JeedomError(f"URL de Jeedom invalide : {self.shown}") from None
        except requests.exceptions.ConnectionError as exc:
            raise JeedomUnreachable(f"Jeedom injoignable à {self.shown} : {_reason(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise JeedomError(f"échec de la requête vers Jeedom ({self.shown}) : "
                              f"{type(exc).__name__}") from None
        if response.status_code == 404:
            raise JeedomError(f"Jeedom répond 404 à {self.shown} : vérifiez l'URL ; Jeedom répond aussi 404 à une "
                              f"adresse IP bannie après trop d'échecs de clé API (débannissez-la dans Réglages › "
                              f"Système › Configuration › Sécurité)")
        if response.status_code != 200:
            raise JeedomError(f"Jeedom ({self.shown}) répond HTTP {response.status_code}")
        return response

    def _refused(self, text: str, hint: str = "") -> JeedomAuthError:
        quoted = self._scrub(text.strip())[:200]
        return JeedomAuthError(f"Jeedom ({self.shown}) refuse la clé API : « {quoted} ». Vérifiez la clé "
                               f"(Réglages › Système › Configuration › API){hint}")

    def call(self, method: str, cmd_id: int | str | None = None, hint: str = "", **params: Any) -> Any:
        """One JSON-RPC call; its ``result``. ``cmd_id`` names the command a refusal concerns."""
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": str(next(self._ids)), "method": method}
        if method != "ping":
            self._check_key()
            params = {"apikey": self.key, **params}
        if params:
            body["params"] = params
        response = self._post(json=body)
        text = response.content.decode("utf-8", "replace")
        try:
            reply = response.json()
        except ValueError:
            if _is_auth_refusal(text):
                raise self._refused(text, hint) from None
            raise JeedomError(f"Jeedom ({self.shown}) a répondu autre chose que du JSON-RPC à {method} : "
                              f"« {self._scrub(text.strip())[:200]} » ; vérifiez l'URL") from None
        if not isinstance(reply, dict) or ("result" not in reply and "error" not in reply):
            raise JeedomError(f"réponse JSON-RPC inattendue de Jeedom ({self.shown}) à {method}")
        if "error" not in reply:
            return reply["result"]
        error = reply["error"] if isinstance(reply["error"], dict) else {"message": str(reply["error"])}
        message = self._scrub(str(error.get("message") or "")).strip()
        code = _normal_code(error.get("code"))
        if _is_auth_refusal(message):
            raise self._refused(message, hint)
        if cmd_id is not None and (code in UNKNOWN_COMMAND_CODES or "introuvable" in message.lower()):
            raise JeedomCommandError(f"commande {cmd_id} introuvable dans Jeedom (« {message} »)", cmd_id, code)
        if cmd_id is not None:
            raise JeedomCommandError(f"Jeedom a refusé la valeur de la commande {cmd_id} (code {error.get('code')}) : "
                                     f"« {message} »", cmd_id, code)
        detail = " (erreur interne de Jeedom)" if code == NO_CODE else ""
        raise JeedomError(f"Jeedom ({self.shown}) a refusé {method} (code {error.get('code')}{detail}) : "
                          f"« {message} »")

    def event(self, cmd_id: int, value: str, at: datetime | None = None) -> None:
        """Set an info command's value with ``cmd::event`` (``"ok"``), dated when ``at`` is given."""
        params: dict[str, Any] = {"id": cmd_id, "value": value}
        if at is not None:
            params["datetime"] = jeedom_time(at)
        self.call("cmd::event", cmd_id=cmd_id, **params)

    def virtual_event(self, cmd_id: int | str, value: str | None) -> None:
        """Set a virtual info command through the virtual plugin's event URL (empty body when it worked)."""
        self._check_key()
        form = {"apikey": self.key, "plugin": "virtual", "type": "event", "id": str(cmd_id)}
        if value is not None:
            form["value"] = value
        text = self._post(data=form).content.decode("utf-8", "replace").strip()
        if not text:
            return
        if _is_auth_refusal(text):
            raise self._refused(text, " ; en mode virtuel, la clé du plugin Virtuel ou la clé d'un utilisateur")
        if text.startswith("<"):
            raise JeedomError(f"Jeedom ({self.shown}) a répondu une page HTML au lieu de l'API : vérifiez l'URL")
        raise JeedomCommandError(f"commande {cmd_id} refusée par le plugin Virtuel (« {self._scrub(text)[:200]} »)",
                                 cmd_id)
