"""Which host names the standalone UI answers to, against DNS rebinding: a page of another site whose name is made
to point at this machine sends that name in ``Host``, and is refused."""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

# names that never come from public DNS: a rebinding attacker cannot own them
PRIVATE_SUFFIXES = (".localhost", ".local", ".lan", ".home", ".home.arpa", ".internal", ".localdomain")


@lru_cache(maxsize=1)
def machine_names() -> frozenset[str]:
    """This machine's own names (host name and fully qualified name), lower case."""
    names = {socket.gethostname(), socket.getfqdn()}
    return frozenset(n.lower().rstrip(".") for n in names if n)


def host_name(host: str) -> str:
    """The name or address of a ``Host`` header, without its port or the brackets of an IPv6 address."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def host_allowed(host: str, allowed: tuple[str, ...] = ()) -> bool:
    """True for an IP address, ``localhost``, a single-label name (``nas``), a name under a private suffix
    (``nas.local``, ``box.lan``), this machine's names, and the names of ``allowed`` (``ALLOWED_HOSTS``: exact
    names, ``.example.org`` for that domain and its subdomains, ``*`` for any)."""
    name = host_name(host)
    if not name:
        return False
    if "*" in allowed:
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    if name == "localhost" or "." not in name or name.endswith(PRIVATE_SUFFIXES) or name in machine_names():
        return True
    return any(name == pattern or (pattern.startswith(".") and (name == pattern[1:] or name.endswith(pattern)))
               for pattern in allowed)
