"""Storage: tables (``models``), queries and bulk upserts (``repository``), engines (``session``), migrations. May
import ``energy`` and the shared leaves, never ``gateway``; read by ``services``, ``exporters`` and the composition
root, never by ``web``."""
