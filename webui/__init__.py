"""The web UI for agents, department staff, team leads, managers, designers and admins (Flask)."""

from webui.app import create_app

__all__ = ["create_app"]
