"""The MyElectricalData gateway's HTTP client (auth, envelope, retries, quota, limits) and the parsing of its
answers. May import ``energy`` and the shared leaves (``config``, ``supervisor``); never ``database``."""
