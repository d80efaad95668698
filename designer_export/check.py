"""``check``: the ordered import checks over uploaded files, one report per file.

Order: readable text and well-formed XML; normalisation of vendor dialects (the same pass deploy runs);
the BPMN 2.0 schema on the normalised tree; semantic rules; and, for files without errors so far, a
trial parse with the engine's parser. A file is ``deployable`` without warnings, ``deployable_with_warnings``
with some, ``needs_attention`` when an element will predictably raise an incident (designer_export.attention),
``rejected`` with any error. Nothing in here lets an exception escape for any input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from designer_export.attention import ATTENTION_CODES, condition_variable_diagnostics, topic_diagnostics
from designer_export.cycles import loop_diagnostics
from designer_export.letters import is_letter_template, letter_template_diagnostics
from designer_export.rules import Known, _variables_set, check_rules
from designer_export.schema import schema_diagnostics
from designer_export.trial import Catalogue, trial_parse
from engine.bpmn.bpmn_xml import MAX_XML_BYTES, XmlRejected, bpmn, camunda, decode_xml, is_dmn
from engine.bpmn.camunda_forms import FormUnreadable, forms_by_id, parse_form
from engine.bpmn.diagnostics import ERROR, INFO, SEVERITIES, WARNING, Diagnostic, at
from engine.bpmn.normalize.pipeline import NormalizedFile, normalize_resources
from engine.bpmn.resources import Resource, describe_bpmn, describe_dmn
from engine.domain.errors import DeploymentError
from engine.domain.messages import msg

DEPLOYABLE = "deployable"
DEPLOYABLE_WITH_WARNINGS = "deployable_with_warnings"
NEEDS_ATTENTION = "needs_attention"
REJECTED = "rejected"
MAX_DIAGNOSTICS = 500


@dataclass(frozen=True)
class Upload:
    """One file to check: the name shown to the designer (a path) and its bytes."""

    name: str
    data: bytes

    @property
    def filename(self) -> str:
        return self.name.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class FileReport:
    """The verdict on one file with its diagnostics, errors first."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    normalized: NormalizedFile | None = None

    @property
    def status(self) -> str:
        severities = {d.severity for d in self.diagnostics}
        if ERROR in severities:
            return REJECTED
        if self.incident_elements():
            return NEEDS_ATTENTION
        return DEPLOYABLE_WITH_WARNINGS if WARNING in severities else DEPLOYABLE

    def incident_elements(self) -> list[Diagnostic]:
        """The findings at elements where instances will predictably get an incident."""
        return [d for d in self.diagnostics if d.code in ATTENTION_CODES]

    def worker_tasks(self) -> list[tuple[str, str]]:
        """(element id, topic) of the external tasks: where instances wait for a worker (a normal state)."""
        root = self.normalized.root if self.normalized is not None else None
        found = []
        for diagnostic in self.diagnostics:
            if diagnostic.code != "external-task" or root is None or not diagnostic.element_id:
                continue
            for node in root.iter():
                if isinstance(node.tag, str) and node.get("id") == diagnostic.element_id:
                    found.append((diagnostic.element_id, node.get(camunda("topic"), "")))
                    break
        return found

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``designer check --format json``."""
        return {"file": self.file, "status": self.status, "diagnostics": [d.to_dict() for d in self.diagnostics]}


def _sorted(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    unique = list(dict.fromkeys(diagnostics))
    return sorted(unique, key=lambda d: (order.get(d.severity, 9), d.line or 0))


def _processes_defined_twice(normalized: list[NormalizedFile]) -> dict[str, list[Diagnostic]]:
    """A process id defined in two uploaded files: deploy would keep only one of them."""
    owners: dict[str, list[tuple[NormalizedFile, Any]]] = {}
    for item in normalized:
        if item.root is not None and not is_dmn(item.root):
            for process in item.root.iterchildren(bpmn("process")):
                owners.setdefault(process.get("id", ""), []).append((item, process))
    found: dict[str, list[Diagnostic]] = {}
    for process_id, places in owners.items():
        if len(places) < 2:
            continue
        names = ", ".join(item.filename for item, _ in places)
        for item, process in places:
            found.setdefault(item.filename, []).append(
                at(
                    process,
                    ERROR,
                    "duplicate-process",
                    msg("diag.duplicate-process", process_id=process_id, names=names),
                    msg("hint.duplicate-process"),
                    file=item.filename,
                )
            )
    return found


def _nothing_to_run(normalized: list[NormalizedFile], catalogue: Catalogue) -> dict[str, list[Diagnostic]]:
    """Decisions uploaded without a process that uses them: deploy versions them on their own (a process
    deployed later takes the latest version), so the check says so instead of refusing them.
    """
    dmn_files = [item for item in normalized if item.root is not None and is_dmn(item.root)]
    try:
        processes = [
            info
            for item in normalized
            if item.root is not None and not is_dmn(item.root)
            for info in describe_bpmn(item.resource)
            if info.executable
        ]
        decisions = {decision for item in dmn_files for decision in describe_dmn(item.resource)}
    except DeploymentError:
        return {}  # an unreadable file: its own report says why
    if processes or not dmn_files:
        return {}
    if any(info.executable and info.decisions & decisions for info in catalogue.processes.values()):
        return {}
    return {
        item.filename: [
            Diagnostic(
                INFO,
                "decision-unused",
                msg("diag.decision-unused"),
                hint=msg("hint.decision-unused"),
                line=1,
                file=item.filename,
            )
        ]
        for item in dmn_files
    }


def check_uploads(
    uploads: Sequence[Upload],
    *,
    as_executable: bool = False,
    deployed: Sequence[Resource] = (),
    known_topics: set[str] | None = None,
    forms: Mapping[str, str] | None = None,
) -> list[FileReport]:
    """Check files as one upload (a call activity may call a process of another file); one report each.

    ``deployed`` are the runnable files of deployed versions (called processes and decisions may live
    there); ``known_topics`` are the service-task topics with a handler (None: do not check topics);
    ``forms`` the Camunda Forms (id -> JSON) that user tasks may link by ``formId``.
    """
    reports = [FileReport(upload.name) for upload in uploads]
    readable: list[tuple[int, Resource]] = []
    for index, upload in enumerate(uploads):
        try:
            readable.append((index, Resource(upload.filename, decode_xml(upload.data))))
        except XmlRejected as error:
            # The whole file is the problem: point at its first line when the decoder knows no better.
            reports[index].diagnostics.append(
                Diagnostic(ERROR, "xml", error.message, line=error.line or 1, file=upload.name)
            )
    normalized = normalize_resources([resource for _, resource in readable], as_executable=as_executable, forms=forms)
    catalogue = Catalogue()
    for resource in deployed:
        catalogue.add(resource)
    for item in normalized:
        if item.root is not None:
            catalogue.add(item.resource)
    known = Known(
        processes={pid: info.executable for pid, info in catalogue.processes.items()},
        decisions=set(catalogue.decisions),
    )
    duplicates = _processes_defined_twice(normalized)
    for filename, found in _nothing_to_run(normalized, catalogue).items():
        duplicates.setdefault(filename, []).extend(found)
    for (index, _), item in zip(readable, normalized, strict=True):
        report = reports[index]
        report.normalized = item
        report.diagnostics.extend(item.diagnostics)
        report.diagnostics.extend(duplicates.get(item.filename, []))
        if item.root is not None and not is_dmn(item.root):
            report.diagnostics.extend(schema_diagnostics(item.root, item.filename))
            report.diagnostics.extend(check_rules(item.root, item.filename, known))
            report.diagnostics.extend(loop_diagnostics(item.root, item.filename))
            assigned = _variables_set(item.root)
            reported = frozenset(d.element_id or "" for d in item.diagnostics if d.code == "decision-variable")
            report.diagnostics.extend(condition_variable_diagnostics(item.root, item.filename, assigned, reported))
            if known_topics is not None:
                report.diagnostics.extend(topic_diagnostics(item, known_topics))
        if item.root is not None and not any(d.severity == ERROR for d in report.diagnostics):
            report.diagnostics.extend(trial_parse(item.resource, item.root, catalogue))
    for report, upload in zip(reports, uploads, strict=True):
        diagnostics = _sorted(d if d.file == upload.name else _renamed(d, upload) for d in report.diagnostics)
        if len(diagnostics) > MAX_DIAGNOSTICS:
            # Errors sort first, so the verdict survives; a pathological file must not flood the page.
            hidden = len(diagnostics) - MAX_DIAGNOSTICS
            diagnostics = diagnostics[:MAX_DIAGNOSTICS]
            diagnostics.append(Diagnostic(INFO, "truncated", msg("diag.truncated", hidden=hidden), file=upload.name))
        report.diagnostics = diagnostics
    return reports


def _renamed(diagnostic: Diagnostic, upload: Upload) -> Diagnostic:
    # Diagnostics name the file as the designer gave it (a path), not the bare file name deploy stores.
    return replace(diagnostic, file=upload.name)


def is_form_upload(upload: Upload) -> bool:
    """A Camunda Form (form-js JSON): no diagram, but the form that user tasks link by its id (``formId``)."""
    return upload.filename.lower().endswith(".form")


def check_form_uploads(uploads: Sequence[Upload]) -> tuple[list[Resource], list[FileReport]]:
    """The readable forms as resources to deploy with the diagrams, and one report per form file.

    What a linked form holds that the task page cannot show or collect is reported on the user task that links
    it (engine.bpmn.normalize.forms); a form file itself is only checked to be a readable form with an id.
    """
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


def check_paths(paths: Sequence[str], **options: Any) -> list[FileReport]:
    """Read files from disk (refusing unreadable and oversized ones) and check them together.

    A regulation pack's letter template (``letters/<language>/<name>.html``) gets the letter check instead.
    """
    uploads, failures, letters = [], {}, {}
    for path in paths:
        if is_letter_template(path):
            letters[path] = FileReport(path, _sorted(letter_template_diagnostics(path)))
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_XML_BYTES + 1)
        except OSError as error:
            failures[path] = f"cannot read the file: {error.strerror or error}"
            continue
        uploads.append(Upload(path, data))
    # Camunda forms (.form) are checked as forms and are the forms the diagrams' user tasks may link.
    forms, form_reports = check_form_uploads([upload for upload in uploads if is_form_upload(upload)])
    diagrams = [upload for upload in uploads if not is_form_upload(upload)]
    linked = forms_by_id(form.content for form in forms)
    reports = {report.file: report for report in [*check_uploads(diagrams, forms=linked, **options), *form_reports]}
    result = []
    for path in paths:
        if path in letters:
            result.append(letters[path])
        elif path in failures:
            result.append(FileReport(path, [Diagnostic(ERROR, "unreadable", failures[path], file=path)]))
        else:
            result.append(reports[path])
    return result
