"""The web UI and REST API (Flask), served by waitress behind Home Assistant ingress or standalone."""
