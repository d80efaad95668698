"""The process designer's upload page: check or deploy BPMN/DMN files, diagnostics drawn on the diagram.

The checks are those of ``complaintflow designer check`` (``designer_api.check_files``); each file's own
layout is drawn server-side with the elements that have a diagnostic in red (error) or amber (warning),
the message as the element's SVG ``<title>``, and every diagnostic row links to its element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from lxml import etree
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, MultipleFileField, SelectField, SubmitField

from designer_export import DEPLOYABLE, DEPLOYABLE_WITH_WARNINGS, NEEDS_ATTENTION, REJECTED, FileReport, Upload
from designer_export import api as designer_api
from designer_export.check import check_form_uploads, is_form_upload
from designer_export.svg import render_svg
from engine.bpmn.diagnostics import ERROR, INFO, WARNING, Diagnostic
from engine.domain.errors import ComplaintflowError
from engine.domain.roles import DEPLOY_ROLES
from engine.services.designer.deployment import DeployResult
from webui.auth import actor, require_roles
from webui.choices import LANGUAGE_PAIRS, options
from webui.db import db, now
from webui.engine_text import diagnostic_hint, diagnostic_message, engine_message
from webui.views import designer_letters as letters
from webui.views.designer import MAX_UPLOAD_REQUEST_BYTES, allow_diagram_uploads, upload_of
from webui.views.designer_trial import Trial, trial_of

bp = Blueprint("designer_upload", __name__, url_prefix="/designer")
bp.url_value_preprocessor(allow_diagram_uploads)
MAX_FILES = 20


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("BPMN or DMN files, Camunda forms (.form) or letter templates (.html)"))
    letter_language = SelectField(
        _l("Language of the letter templates"),
        # Each language named in its own language, as the language menus name it.
        choices=options(LANGUAGE_PAIRS),
        default="en",
    )
    as_executable = BooleanField(_l("Deploy descriptive diagrams as executable (plain tasks become human tasks)"))
    check = SubmitField(_l("Check only"))
    deploy = SubmitField(_l("Check and deploy"))


@dataclass
class FileView:
    """One file's verdict for the template: its report, its drawn diagram and which ids are on it."""

    index: int
    report: FileReport
    svg: Markup | None = None
    drawn: set[str] = field(default_factory=set)
    trial: Trial | None = None  # the test panel of a DMN file

    @property
    def anchor_prefix(self) -> str:
        return f"file{self.index}-"

    @property
    def shown(self) -> list[Diagnostic]:
        return [d for d in self.report.diagnostics if d.severity != INFO]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.report.diagnostics if d.severity == INFO]


def _highlights(report: FileReport) -> tuple[dict[str, str], dict[str, str]]:
    """Element id -> state (``error`` wins over ``warning``) and -> tooltip with every message on it."""
    states: dict[str, str] = {}
    titles: dict[str, list[str]] = {}
    for item in report.diagnostics:
        if not item.element_id or item.severity not in (ERROR, WARNING):
            continue
        if states.get(item.element_id) != ERROR:
            states[item.element_id] = item.severity
        hint = f" {_('Hint')}: {diagnostic_hint(item)}" if item.hint else ""
        titles.setdefault(item.element_id, []).append(f"{item.severity}: {diagnostic_message(item)}{hint}")
    return states, {element_id: "\n".join(lines) for element_id, lines in titles.items()}


def _message(diagnostic: Diagnostic) -> str:
    """A finding in the reader's language: letter findings by the letter check's wording, others by their code."""
    return letters.message(diagnostic) if diagnostic.code.startswith("letter-") else diagnostic_message(diagnostic)


def _hint(diagnostic: Diagnostic) -> str:
    return letters.hint(diagnostic) if diagnostic.code.startswith("letter-") else diagnostic_hint(diagnostic)


def _drawn_ids(svg: str) -> set[str]:
    root = etree.fromstring(svg.encode("utf-8"))
    return {node.get("data-element-id", "") for node in root.iter() if node.get("data-element-id")}


def file_view(index: int, report: FileReport) -> FileView:
    """Draw a file's diagram from its own layout; DMN and unreadable files have none."""
    view = FileView(index, report, trial=trial_of(report))
    original = report.normalized.original if report.normalized else ""
    if "BPMNPlane" not in original:
        return view
    states, titles = _highlights(report)
    svg = render_svg(original, states, titles=titles, id_prefix=view.anchor_prefix)
    view.svg = Markup(svg)  # built as an element tree by render_svg: every text from the file is escaped
    view.drawn = _drawn_ids(svg)
    return view


def _render(
    form: UploadForm,
    views: list[FileView] | None = None,
    deployed: list[DeployResult] | None = None,
    status: int = 200,
) -> Any:
    statuses = {
        DEPLOYABLE: _("deployable"),
        DEPLOYABLE_WITH_WARNINGS: _("deployable with warnings"),
        NEEDS_ATTENTION: _("needs attention"),
        REJECTED: _("rejected"),
    }
    severities = {ERROR: _("error"), WARNING: _("warning"), INFO: _("info")}
    return render_template(
        "designer/upload.html",
        form=form,
        views=views,
        deployed=deployed or [],
        STATUS_LABELS=statuses,
        SEVERITY_LABELS=severities,
        MESSAGE=_message,
        HINT=_hint,
    ), status


def _uploads(form: UploadForm) -> list[Upload]:
    return [upload_of(storage) for storage in (form.files.data or []) if storage and storage.filename]


@bp.route("/upload", methods=["GET", "POST"])
@require_roles(*DEPLOY_ROLES)
def upload() -> Any:
    form = UploadForm()
    if not form.validate_on_submit():
        return _render(form, status=400 if form.is_submitted() else 200)
    uploads = _uploads(form)
    if not uploads or len(uploads) > MAX_FILES:
        form.files.errors = [_("Choose between 1 and %(count)d files.", count=MAX_FILES)]
        return _render(form, status=400)
    templates = [upload for upload in uploads if letters.is_letter_upload(upload)]
    if templates:
        # Letter templates are checked, never deployed (they are files of processes/regulation); the diagrams of
        # the same upload are checked with them and deployed only in an upload of their own.
        language = form.letter_language.data or "en"
        diagrams = [upload for upload in uploads if not letters.is_letter_upload(upload)]
        reports = (
            designer_api.check_files(db(), diagrams, as_executable=bool(form.as_executable.data)) if diagrams else []
        )
        reports += [letters.check_letter(upload, language) for upload in templates]
        if form.deploy.data:
            flash(
                _(
                    "Nothing was deployed: letter templates are checked here, not deployed; they belong in "
                    "processes/regulation/letters. Upload diagrams on their own to deploy them."
                ),
                "error",
            )
        return _render(form, [file_view(n, r) for n, r in enumerate(reports)], status=422 if form.deploy.data else 200)
    as_executable = bool(form.as_executable.data)
    # Camunda forms go with the diagrams that link them: checked as forms, stored with the new versions.
    forms, form_reports = check_form_uploads([upload for upload in uploads if is_form_upload(upload)])
    uploads = [upload for upload in uploads if not is_form_upload(upload)]
    if not uploads:
        form.files.errors = [_("Upload the .form files together with the diagrams that link them.")]
        return _render(form, [file_view(n, r) for n, r in enumerate(form_reports)], status=400)

    def check() -> list[FileView]:
        reports = designer_api.check_files(db(), uploads, as_executable=as_executable, attachments=forms)
        return [file_view(n, r) for n, r in enumerate([*reports, *form_reports])]

    if not form.deploy.data:
        return _render(form, check())
    if any(report.status == REJECTED for report in form_reports):
        flash(_("Nothing was deployed: fix the errors below and upload the files again."), "error")
        return _render(form, check(), status=422)
    try:
        outcome = designer_api.deploy_files(
            db(), actor(), uploads, now(), as_executable=as_executable, attachments=forms
        )
    except ComplaintflowError as error:
        # The checks passed but the engine still refused (e.g. a concurrent deploy): nothing was stored.
        db().rollback()
        flash(_("Nothing was deployed: %(reason)s", reason=engine_message(error)), "error")
        return _render(form, check(), status=422)
    views = [file_view(n, r) for n, r in enumerate([*outcome.reports, *form_reports])]
    if not outcome.deployed:
        flash(_("Nothing was deployed: fix the errors below and upload the files again."), "error")
        return _render(form, views, status=422)
    flash(_("Deployed."), "success")
    return _render(form, views, outcome.results)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Any:
    if not (current_user.is_authenticated and current_user.has_role(*DEPLOY_ROLES)):
        # The body is refused before the view's role check ran: answer as the view would have.
        return render_template("error.html", code=403), 403
    form = UploadForm(formdata=None)
    limit = MAX_UPLOAD_REQUEST_BYTES // (1024 * 1024)
    form.files.errors = [_("The upload is larger than %(limit)d MB; nothing was checked or deployed.", limit=limit)]
    return _render(form, status=413)
