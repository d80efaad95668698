"""The web UI fixtures (seeded database, app, signed-in clients) for the data protection tests."""

from tests.webui.conftest import anonymous, app, client_for, seeded

__all__ = ["anonymous", "app", "client_for", "seeded"]
