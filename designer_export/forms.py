"""Camunda Forms (``.form`` files) uploaded beside the diagrams that link them: read, each with its own report.

A form is no diagram: it is stored with the process versions of its upload and rendered on the task page of
every user task whose ``zeebe:formDefinition formId`` names its ``id``. What a linked form holds that the
page cannot show or collect is reported on that user task (``engine.bpmn.normalize.forms``); here a form
file is only checked to be a readable Camunda form with an id.
"""

from __future__ import annotations

from collections.abc import Sequence

from designer_export.check import FileReport, Upload
from engine.bpmn.camunda_forms import FormUnreadable, parse_form
from engine.bpmn.diagnostics import ERROR, INFO, Diagnostic
from engine.bpmn.resources import Resource
from engine.domain.messages import msg


def is_form_upload(upload: Upload) -> bool:
    return upload.filename.lower().endswith(".form")


def check_form_uploads(uploads: Sequence[Upload]) -> tuple[list[Resource], list[FileReport]]:
    """The readable forms as resources to deploy with the diagrams, and one report per form file."""
    resources, reports = [], []
    for upload in uploads:
        report = FileReport(upload.name)
        reports.append(report)
        try:
            text = upload.data.decode("utf-8-sig")
            form = parse_form(text)
        except (UnicodeDecodeError, FormUnreadable):
            unreadable = Diagnostic(ERROR, "form-unreadable", msg("diag.form-file-unreadable"), file=upload.name)
            report.diagnostics.append(unreadable)
            continue
        if not form.id:
            report.diagnostics.append(Diagnostic(ERROR, "form-no-id", msg("diag.form-no-id"), file=upload.name))
            continue
        report.diagnostics.append(Diagnostic(INFO, "form-file", msg("diag.form-file", form=form.id), file=upload.name))
        resources.append(Resource(upload.filename, text))
    return resources, reports
