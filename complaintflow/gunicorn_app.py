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


def serve(bind: str, workers: int, threads: int) -> None:
    """Run gunicorn in the foreground until it is stopped."""
    ComplaintflowServer(
        {
            "bind": bind,
            "workers": max(1, workers),
            # Threads per worker: a Camunda worker's long poll (fetchAndLock) or a slow upload occupies one
            # thread, not a whole process, so other people's requests keep being served meanwhile.
            "worker_class": "gthread",
            "threads": max(1, threads),
            # Longer than the proxy's idle upstream connections live (nginx: keepalive_timeout 60s in
            # deploy/nginx): if gunicorn closed an idle connection first (its default is 2 s), nginx could
            # send the next request into the closing socket and answer the customer 502.
            "keepalive": 75,
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            # Forwarded headers are read in one place, by the app (COMPLAINTFLOW_PROXY_HOPS, ProxyFix), so
            # gunicorn trusts none of its own accord: a proxy's hops count once, and only when configured.
            "forwarded_allow_ips": "",
            # gunicorn's control socket defaults to one fixed path per user, so a second `serve` on the same
            # host would take over the first one's socket; nothing here uses it.
            "control_socket_disable": True,
        }
    ).run()
