"""The process designer's list of deployed processes and versions, and one version's page (diagram, files, diff)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import Blueprint, abort, render_template
from markupsafe import Markup

from designer_export import api as designer_api
from designer_export.svg import render_svg
from engine.domain.errors import NotFound
from engine.domain.roles import DEPLOY_ROLES
from webui.auth import require_roles
from webui.db import db
from webui.diagram_text import file_names

bp = Blueprint("designer_pages", __name__, url_prefix="/designer")


@bp.get("/")
@require_roles(*DEPLOY_ROLES)
def processes() -> Any:
    rows = designer_api.list_versions(db())
    grouped = [(key, list(versions)) for key, versions in groupby(rows, key=lambda row: row.process_key)]
    return render_template("designer/processes.html", processes=grouped)


@bp.get("/versions/<process_key>/<int:version>")
@require_roles(*DEPLOY_ROLES)
def version(process_key: str, version: int) -> Any:
    try:
        versions = designer_api.list_versions(db(), process_key)
        files = designer_api.download(db(), process_key, version)
    except NotFound:
        abort(404)
    info = next((row for row in versions if row.version == version), None)
    if info is None:
        abort(404)
    # render_svg builds an element tree: names from the file are escaped, so the markup is safe to embed.
    # Names in the reader's language where the file translates them (each file carries its own translations).
    diagrams = [(name, Markup(render_svg(text, names=file_names(text)))) for name, text in files if "BPMNPlane" in text]
    older = [row.version for row in versions if row.version < version]
    change = designer_api.diff(db(), process_key, max(older), version) if older else None
    return render_template(
        "designer/version.html",
        info=info,
        versions=versions,
        diagrams=diagrams,
        previous=max(older) if older else None,
        change=change,
    )
