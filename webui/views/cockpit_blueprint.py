"""The cockpit's blueprint, shared by its two view modules.

``webui.views.cockpit`` (dashboard, KPIs, monitoring, the incident retry) and
``webui.views.cockpit_instances`` (suspend, resume, cancel, reassign, the heatmap) both add routes to it;
the app imports both before it registers the blueprint, so neither module has to import the other.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cockpit", __name__, url_prefix="/cockpit")
