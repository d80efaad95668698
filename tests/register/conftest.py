"""The web UI's fixtures (seeded database, app, signed-in clients) for the register's page tests."""

from tests.webui.conftest import anonymous, app, client_for, seeded

__all__ = ["anonymous", "app", "client_for", "seeded"]
