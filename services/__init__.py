"""Qt-free services: seeding, placement, dispatch, lifecycle, KPIs, simulation."""
