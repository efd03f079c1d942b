"""The web UI and REST API (Flask), served by waitress behind Home Assistant ingress or standalone.

Views call ``services`` (and the exporter manager) and render; ``web`` never imports ``database``, sqlalchemy or
the composition root (``app``), which it reaches through ``web.context``."""
