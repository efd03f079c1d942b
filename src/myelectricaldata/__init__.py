"""MyElectricalData local client: Linky data from the MyElectricalData gateway, kept locally."""

__version__ = "0.1.0"
