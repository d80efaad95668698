"""Designer downloads (element templates, version files, instance diagrams) and the upload helpers.

Camunda Modeler's deploy API under /engine-rest lives in webui.engine_rest.deployment. The /designer
routes here are for signed-in designers and admins.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import FileStorage

from designer_export import Upload
from designer_export import api as designer_api
from engine.bpmn.bpmn_xml import MAX_XML_BYTES
from engine.domain.errors import NotFound
from engine.domain.roles import DEPLOY_ROLES, INSTANCE_DIAGRAM_ROLES
from webui.auth import require_roles
from webui.db import db, now
from webui.diagram_text import diagram_texts_of_instance
from webui.security import csrf

bp = Blueprint("designer", __name__)  # not a role: the blueprint name
csrf.exempt(bp)


def upload_of(storage: FileStorage) -> Upload:
    """An uploaded file for the checks; one byte over the limit is enough for them to refuse it as too large."""
    return Upload(storage.filename or storage.name or "upload.bpmn", storage.stream.read(MAX_XML_BYTES + 1))


# A request may carry a few files of up to MAX_XML_BYTES each: over the app's general limit (2 MB), so a
# file of 6 MB gets the checks' "too large" diagnostic like in the CLI instead of a bare 413.
MAX_UPLOAD_REQUEST_BYTES = 4 * MAX_XML_BYTES


def allow_diagram_uploads(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """URL value preprocessor: runs before the app's CSRF check reads the form, so the larger limit applies."""
    if request.method == "POST":
        request.max_content_length = MAX_UPLOAD_REQUEST_BYTES


bp.url_value_preprocessor(allow_diagram_uploads)


@bp.get("/designer/element-templates.json")
@require_roles(*DEPLOY_ROLES)
def element_templates() -> Response:
    response = Response(designer_api.element_templates_json(), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="complaintflow-element-templates.json"'
    return response


@bp.get("/designer/versions/<process_key>/<int:version>/files/<filename>")
@require_roles(*DEPLOY_ROLES)
def download(process_key: str, version: int, filename: str) -> Response:
    try:
        files = dict(designer_api.download(db(), process_key, version, as_uploaded=request.args.get("as") != "run"))
    except NotFound:
        abort(404)
    if filename not in files:
        abort(404)
    response = Response(files[filename], mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/designer/instances/<int:instance_id>/diagram.svg")
@require_roles(*INSTANCE_DIAGRAM_ROLES)
def instance_diagram(instance_id: int) -> Response:
    try:
        svg = designer_api.instance_svg(db(), instance_id, now(), **diagram_texts_of_instance(db(), instance_id))
    except NotFound:
        abort(404)
    return Response(svg, mimetype="image/svg+xml")
