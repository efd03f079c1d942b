"""A faithful local fake of the MyElectricalData v2 gateway, for demo mode and the tests. It imports no other layer
of the package, and only the composition root (``cli``) imports it."""

from .app import create_simulator_app
from .households import DEMO_HOUSEHOLDS, Household
from .server import RunningSimulator, serve_forever, start_simulator
from .state import SimulatorState

__all__ = [
    "DEMO_HOUSEHOLDS",
    "Household",
    "RunningSimulator",
    "SimulatorState",
    "create_simulator_app",
    "serve_forever",
    "start_simulator",
]
