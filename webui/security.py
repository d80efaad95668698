"""Security headers (CSP without inline scripts), CSRF, and error pages that leak nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

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
    def forbidden(_error: Any) -> Any:
        return render_template("error.html", code=403), 403

    @app.errorhandler(404)
    def not_found(_error: Any) -> Any:
        return render_template("error.html", code=404), 404

    @app.errorhandler(405)
    def not_allowed(_error: Any) -> Any:
        return render_template("error.html", code=405), 405

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: Any) -> Any:
        return render_template("error.html", code=400, csrf=True), 400

    @app.errorhandler(500)
    def server_error(_error: Any) -> Any:
        return render_template("error.html", code=500), 500
