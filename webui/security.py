"""Security headers (CSP without inline scripts), CSRF, and error pages that leak nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from engine.domain.errors import DatabaseBusy

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _headers(response: Response) -> Response:
    # A view may set a stricter policy of its own (file downloads add a sandbox).
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype == "text/html":
        # Pages show customer data: never keep them in shared caches or the back-forward cache of a kiosk.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.after_request(_headers)

    @app.errorhandler(403)
    def forbidden(error: Any) -> Any:
        return api_error(error) or (render_template("error.html", code=403), 403)

    @app.errorhandler(404)
    def not_found(error: Any) -> Any:
        return api_error(error) or (render_template("error.html", code=404), 404)

    @app.errorhandler(405)
    def not_allowed(error: Any) -> Any:
        return api_error(error) or (render_template("error.html", code=405), 405)

    @app.errorhandler(HTTPException)
    def other_http_error(error: HTTPException) -> Any:
        # 400, 413, 415, 431, ...: JSON on the API, werkzeug's own page elsewhere.
        return api_error(error) or error

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: Any) -> Any:
        return render_template("error.html", code=400, csrf=True), 400

    @app.errorhandler(DatabaseBusy)
    def database_busy(error: DatabaseBusy) -> Any:
        return busy_response(error)

    @app.errorhandler(500)
    def server_error(error: Any) -> Any:
        return api_error(error) or (render_template("error.html", code=500), 500)


def _engine_rest() -> bool:
    """Camunda clients expect JSON errors in Camunda's format, never an HTML page."""
    return request.path == "/engine-rest" or request.path.startswith("/engine-rest/")


def _engine_rest_error(error: Any) -> Response:
    code = getattr(error, "code", None) or 500
    if code == 404:
        return _camunda_error(404, "no such resource in this Camunda 7 REST API subset (see /engine-rest/openapi.json)")
    if code == 405:
        return _camunda_error(405, f"{request.method} is not supported on {request.path}")
    if code >= 500:
        return _camunda_error(code, "the server could not complete the request", "RestException")
    kind = {401: "AuthenticationException", 403: "AuthorizationException"}.get(code, "InvalidRequestException")
    return _camunda_error(code, str(getattr(error, "description", None) or error), kind)


def _camunda_error(status: int, message: str, kind: str = "InvalidRequestException") -> Any:
    # Imported here: the engine_rest package imports this module (for csrf) when it loads.
    from webui.engine_rest.common import RestError, error_response

    return error_response(RestError(status, message, kind))


# Sent back by the "please try again" page: never a password, never the old CSRF token (a fresh one is used).
_NOT_RESENT = ("password", "csrf_token")


def busy_response(error: DatabaseBusy) -> Any:
    """HTTP 503 when the database stayed busy: JSON for the APIs, else a page that can send the form again.

    The page carries every field the user posted (except passwords) in a form to the same address, so one
    click sends the same request again; files cannot be carried and are named, with a field to attach them.
    """
    headers = {"Retry-After": "5"}
    if request.path.startswith("/api/"):
        return jsonify({"error": str(error)}), 503, headers
    if _engine_rest():
        response = _camunda_error(503, str(error), "ProcessEngineException")
        response.headers.update(headers)
        return response
    if request.path.startswith("/engine-rest"):
        return jsonify({"type": "RestException", "message": str(error)}), 503, headers
    if request.path.startswith("/v2/"):
        from webui.camunda8_rest.common import problem  # imported here: that package imports this module

        response = problem(503, str(error))
        response.headers.update(headers)
        return response
    _signed_in_user_or_anonymous()
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, str]] = []
    if request.method == "POST":
        fields = [
            (name, value)
            for name, value in request.form.items(multi=True)
            if not any(word in name.lower() for word in _NOT_RESENT)
        ]
        files = [(name, item.filename) for name, item in request.files.items(multi=True) if item and item.filename]
    page = render_template("error.html", code=503, resend=fields, files=files, action=request.full_path.rstrip("?"))
    return page, 503, headers


def _signed_in_user_or_anonymous() -> None:
    """Load the signed-in user for the page's navigation; while the database is unreachable, nobody.

    The page must render without the database: the user loader queries it, and a failure there would turn
    the "please try again" page into a 500.
    """
    try:
        _ = current_user.is_authenticated
    except DBAPIError:
        session = g.get("db_session")
        if session is not None:
            session.close()
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]


def api_error(error: Any) -> Response | None:
    """The REST API answers every error in its documented JSON shape ``{"error": message}``; None elsewhere.

    Under /engine-rest the shape is Camunda's (``{"type", "message"}``): Camunda clients never get an HTML page.
    """
    if _engine_rest():
        return _engine_rest_error(error)
    if not request.path.startswith("/api/"):
        return None
    code = getattr(error, "code", None) or 500
    message = getattr(error, "description", None) if code < 500 else None
    response = jsonify({"error": message or "internal error; it was logged"})
    response.status_code = code
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response
