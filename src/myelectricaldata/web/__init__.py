"""The web UI and REST API (Flask), served by waitress behind Home Assistant ingress or standalone.

Views call ``services`` (and the exporter manager) and render; ``web`` may import ``exporters``, ``services``,
``gateway`` and ``energy``, never ``database``, sqlalchemy or the composition root (``app``, reached through
``web.context``). Nothing but the composition root imports ``web``."""
