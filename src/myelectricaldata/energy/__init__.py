"""Pure domain code, no I/O: time and DST, off-peak hours, holidays, Tempo, tariffs, offers and their pricing rules,
costs, aggregates, the energy balance, the simulation. Imports nothing of the package (docs/architecture.md)."""
