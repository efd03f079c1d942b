"""What the tests share: ports and waiting, child servers, fixtures read from disk, the simulated gateway's fronts,
the services a test needs, and the fakes of what cannot run here (``fakes``).

Test modules import from this package and take fixtures from ``conftest.py`` files; they never import one another.
"""
