"""gunicorn embedded as a library, so `complaintflow serve` needs no separate config file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class ComplaintflowServer(BaseApplication):  # type: ignore[misc]
    """Each worker builds its own app (and so its own database pool) after the fork."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webui import create_app

        return create_app()


def serve(bind: str, workers: int) -> None:
    """Run gunicorn in the foreground until it is stopped."""
    ComplaintflowServer(
        {
            "bind": bind,
            "workers": max(1, workers),
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            "forwarded_allow_ips": "127.0.0.1",
        }
    ).run()
