"""The REST API for CRM and helpdesk integration: JSON, bearer tokens, described by webui/openapi.json.

Every error is JSON with a message and, for invalid input, a message per field. Tokens act as the user,
groups and roles they were created with (engine.services.users.api_tokens), so the engine's permission checks
apply unchanged.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from engine.domain.actors import Actor
from engine.domain.attachments import Upload
from engine.domain.errors import (
    ComplaintflowError,
    Conflict,
    DatabaseBusy,
    FormValidationError,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from engine.services.casework import tasks as task_service
from engine.services.casework.access import may_view_complaint
from engine.services.intake import channels as intake
from engine.services.intake.complaints import NewComplaint, get_complaint
from engine.services.intake.intake_keys import MAX_KEY_LENGTH, KeyReused, OnceKey, fingerprint
from engine.services.intake.rate_limits import RateLimited
from engine.services.users import api_tokens
from engine.store import case_queries, queries
from engine.store.complaints import Complaint
from engine.store.models import HumanTask
from notifications import links
from webui import api_contract
from webui.db import db, now
from webui.portal import configure_channels, limits
from webui.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
CENT = Decimal("0.01")
MAX_TASKS = 500
OPENAPI = Path(__file__).parent / "openapi.json"
F = TypeVar("F", bound=Callable[..., Any])
_STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    Conflict: 409,
    InvalidState: 409,
    RateLimited: 429,
    DatabaseBusy: 503,
    KeyReused: 409,
}


def _error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": message}
    if fields:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="complaintflow"'
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


# Calls an intake token may make besides reading: open complaints and add the customer's information.
_INTAKE_ENDPOINTS = {"api.create_complaint", "api.add_information"}


def _needed_scope() -> str:
    """The token scope this call needs: reading, intake, or full for everything else (completing tasks)."""
    if request.method in {"GET", "HEAD"}:
        return api_tokens.SCOPE_READ
    if request.endpoint in _INTAKE_ENDPOINTS:
        return api_tokens.SCOPE_INTAKE
    return api_tokens.SCOPE_FULL


def authenticated(view: F) -> F:
    """Require ``Authorization: Bearer <token>``; engine errors become JSON 4xx answers."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        need = _needed_scope()
        try:
            actor = api_tokens.authenticate(db(), token.strip(), now(), need) if scheme.lower() == "bearer" else None
        except PermissionDenied as error:
            return _error(403, str(error))
        if actor is None:
            return _error(401, "a valid API token is required (Authorization: Bearer <token>)")
        g.api_actor = actor
        try:
            return view(*args, **kwargs)
        except FormValidationError as error:
            return _error(422, "the request has invalid fields", error.errors)
        except ComplaintflowError as error:
            return _error(_status_of(error), str(error))

    return wrapper  # type: ignore[return-value]


def _status_of(error: ComplaintflowError) -> int:
    """The status of the error's nearest documented class: a subclass (AlreadyCompleted) answers as its base."""
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 400


def _once(body: dict[str, Any]) -> OnceKey | None:
    """The request's ``Idempotency-Key`` (per API client): a retried request returns the first one's result."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise FormValidationError({"Idempotency-Key": f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"})
    content = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return OnceKey(f"api:{_actor().username}", key, fingerprint(content))


def _actor() -> Actor:
    actor: Actor = g.api_actor
    return actor


def _text(body: dict[str, Any], name: str) -> str | None:
    """A checked text field (api_contract), without surrounding white space; None when absent."""
    value = body.get(name)
    return value.strip() if isinstance(value, str) else None


def _uploads(body: dict[str, Any], errors: dict[str, str]) -> list[Upload]:
    items = body.get("attachments") or []
    if not isinstance(items, list):
        errors["attachments"] = "must be a list of {filename, content_type, content_base64}"
        return []
    uploads = []
    for index, item in enumerate(items):
        try:
            content = base64.b64decode(str(item["content_base64"]), validate=True)
            uploads.append(Upload(str(item["filename"]), str(item["content_type"]), content))
        except (KeyError, TypeError, binascii.Error, ValueError):
            errors[f"attachments[{index}]"] = "needs filename, content_type and base64 content_base64"
    return uploads


def _visible(reference: str) -> Complaint:
    complaint = get_complaint(db(), reference)
    if not may_view_complaint(db(), _actor(), complaint):
        raise NotFound(f"complaint {reference} does not exist")  # the same answer as for a missing one
    return complaint


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _complaint_json(complaint: Complaint) -> dict[str, Any]:
    return {
        "reference": complaint.reference,
        "status": complaint.status,
        "channel": complaint.channel,
        "category": complaint.category,
        "priority": complaint.priority,
        "subject": complaint.subject,
        "customer": {"name": complaint.customer.name, "email": complaint.customer.email},
        "created_at": _iso(complaint.created_at),
        "first_response_due_at": _iso(complaint.first_response_due_at),
        "resolution_due_at": _iso(complaint.resolution_due_at),
        "resolved_at": _iso(complaint.resolved_at),
        "outcome": complaint.outcome,
    }


def _task_json(task: HumanTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "element_id": task.element_id,
        "title": task.title,
        "status": task.status,
        "assignee": task.assignee,
        "groups": task.candidate_groups,
        "priority": task.priority,
        "due_at": _iso(task.due_at),
        "form": task.form,
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The API description (no token needed)."""
    return Response(OPENAPI.read_bytes(), mimetype="application/json")


@bp.post("/complaints")
@authenticated
def create_complaint() -> Any:
    """Open a complaint for a customer (channel api, or the channel an agent took it on)."""
    body = api_contract.json_object("#/components/schemas/NewComplaint")
    errors: dict[str, str] = {}
    amount = body.get("amount_disputed")
    new = NewComplaint(
        customer_name=_text(body, "customer_name") or "",
        customer_email=_text(body, "customer_email"),
        customer_phone=_text(body, "customer_phone") or None,
        subject=_text(body, "subject") or "",
        description=body["description"].strip(),
        channel=_text(body, "channel") or "api",
        category=_text(body, "category") or None,
        product=_text(body, "product") or None,
        order_ref=_text(body, "order_ref") or None,
        # The column keeps cents; more decimals are cut off, never rounded up past the documented maximum.
        amount_disputed=Decimal(amount).quantize(CENT, rounding=ROUND_DOWN) if amount is not None else None,
        explicit=body.get("explicit", True),
        language=_text(body, "language") or "de",
    )
    uploads = _uploads(body, errors)
    if errors:
        raise FormValidationError(errors)
    settings = configure_channels(current_app)
    complaint = intake.submit_complaint(
        db(), _actor(), new, settings.intake_process, uploads, limits(), now(), source="api", once=_once(body)
    )
    result = _complaint_json(complaint)
    # For the CRM to pass on to the customer; it is as private as the customer's own link.
    base = settings.public_url if settings.public_url_configured else request.url_root
    result["status_link"] = links.status_link(base, settings.secret_key, complaint.reference)
    return jsonify(result), 201


@bp.get("/complaints/<reference>")
@authenticated
def complaint_status(reference: str) -> Any:
    """Status of a complaint."""
    return jsonify(_complaint_json(_visible(reference)))


@bp.get("/complaints/<reference>/timeline")
@authenticated
def complaint_timeline(reference: str) -> Any:
    """Everything that happened to the complaint, oldest first."""
    complaint = _visible(reference)
    entries = [
        {"at": _iso(entry.at), "kind": entry.kind, "actor": entry.actor, "text": entry.text, "internal": entry.internal}
        for entry in case_queries.timeline(db(), complaint)
    ]
    return jsonify({"reference": complaint.reference, "entries": entries})


@bp.post("/complaints/<reference>/information")
@authenticated
def add_information(reference: str) -> Any:
    """Information from the customer (e.g. forwarded by a helpdesk); wakes a process waiting for it."""
    complaint = _visible(reference)
    body = api_contract.json_object("#/components/schemas/NewInformation")
    errors: dict[str, str] = {}
    text = (body.get("text") or "").strip()
    uploads = _uploads(body, errors)
    if errors:
        raise FormValidationError(errors)
    note = intake.add_customer_information(
        db(), _actor(), complaint.reference, text, uploads, limits(), now(), source="api"
    )
    return jsonify({"reference": complaint.reference, "note_id": note.id}), 201


@bp.get("/tasks")
@authenticated
def list_tasks() -> Any:
    """Open tasks the token's user may see (all for team leads and admins); ``?complaint=`` narrows."""
    actor = _actor()
    instance_id = None
    if "complaint" in request.args:
        reference = request.args["complaint"]
        if not 1 <= len(reference) <= 30:
            raise FormValidationError({"complaint": "must be a complaint number (1 to 30 characters)"})
        instance_id = _visible(reference).instance_id
        if instance_id is None:
            return jsonify({"tasks": []})
    criteria = queries.TaskFilter(
        user=None if actor.supervises else actor.username,
        groups=() if actor.supervises else tuple(sorted(actor.groups)),
        instance_id=instance_id,
        limit=_limit(request.args.get("limit")),
    )
    if not actor.supervises and not actor.groups and not actor.username:
        return jsonify({"tasks": []})
    return jsonify({"tasks": [_task_json(task) for task in queries.list_tasks(db(), criteria)]})


def _limit(raw: str | None) -> int:
    """``?limit=``: a whole number from 1 to 500 in ASCII digits (``'²'.isdigit()`` is true, ``int('²')`` fails)."""
    if raw is None:
        return 100
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_TASKS:
        raise FormValidationError({"limit": f"must be a whole number from 1 to {MAX_TASKS}"})
    return int(raw)


@bp.post("/tasks/<task_id>/complete")
@authenticated
def complete_task(task_id: str) -> Any:
    """Complete a task with its form values: ``{"data": {...}}``."""
    body = api_contract.json_object("#/components/schemas/TaskCompletion")
    data = body.get("data", {})
    task = task_service.complete_task(db(), _actor(), task_id, data, now())
    return jsonify(_task_json(task))


def init_app(app: Flask) -> None:
    """Register the API; it authenticates by token, so the browser CSRF check does not apply."""
    configure_channels(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
