"""What the app does, flask-free: sync, scheduler, reads and settings. Services own their connections and return typed
values; they may import ``gateway``, ``database``, ``energy`` and the shared leaves (``config``, ``supervisor``), never
flask, ``exporters`` or ``web``."""
