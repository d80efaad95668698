"""Designer use cases as plain functions, for the web UI and any other front end to mount.

They join this package's checks (what a designer is told about a file) to the engine's deployment,
version and migration services (what is stored), so they live here, above the engine: the engine
never imports ``designer_export``.

Each function takes the request's session (and actor and ``now`` where something changes) and returns
plain data; none knows about Flask. The HTTP mapping of the Camunda Modeler endpoint is in
``webui.engine_rest.deployment``; docs/designer.md lists the signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from designer_export import templates
from designer_export.check import REJECTED, FileReport, Upload, check_uploads
from designer_export.diff import DiagramDiff, diff_versions
from designer_export.svg import render_svg
from engine.actions.registry import HANDLERS
from engine.bpmn.camunda_forms import forms_by_id
from engine.bpmn.resources import Resource, describe_bpmn, element_names
from engine.domain.actors import Actor
from engine.services.designer import deployment, migration, versions
from engine.services.designer.deployment import DeployResult
from engine.services.designer.migration import InstanceMigration, MigrationProgress
from engine.store.camunda_form_queries import deployed_forms
from engine.store.models import ProcessDefinition

__all__ = [
    "DeployOutcome",
    "check_files",
    "deploy_files",
    "diff",
    "download",
    "element_templates_json",
    "instance_svg",
    "known_topics",
    "list_versions",
    "migrate",
    "plan_migration",
]


def system_actions() -> dict[str, str]:
    """Service-task topics with a handler, and the first line of each handler's description."""
    return {topic: ((handler.__doc__ or "").strip().splitlines() or [""])[0] for topic, handler in HANDLERS.items()}


def known_topics() -> set[str]:
    return set(system_actions())


def element_templates_json() -> str:
    """Camunda Modeler element templates for every system action (JSON text)."""
    return templates.element_templates_json(system_actions())


def deployed_resources(session: Session) -> list[Resource]:
    """Runnable files of the latest version of every process (called processes and decisions live there)."""
    from engine.store.queries import latest_definitions

    return [r for d in latest_definitions(session) for r in deployment.runnable_resources(d)]


def check_files(
    session: Session, files: Sequence[Upload], *, as_executable: bool = False, attachments: Sequence[Resource] = ()
) -> list[FileReport]:
    """The diagnostics the upload page shows: the same checks as ``complaintflow designer check``.

    ``attachments``: other files of the upload; its ``.form`` files are the forms user tasks may link.
    """
    forms = {**deployed_forms(session), **forms_by_id(r.content for r in attachments if r.filename.endswith(".form"))}
    return check_uploads(
        files,
        as_executable=as_executable,
        deployed=deployed_resources(session),
        known_topics=known_topics(),
        forms=forms,
    )


@dataclass
class DeployOutcome:
    """Reports per file; ``results`` when deployed, empty when any file was rejected."""

    reports: list[FileReport]
    results: list[DeployResult] = field(default_factory=list)

    @property
    def deployed(self) -> bool:
        return bool(self.results)


def deploy_files(
    session: Session,
    actor: Actor,
    files: Sequence[Upload],
    now: datetime,
    *,
    as_executable: bool = False,
    force_new: bool = False,
    attachments: Sequence[Resource] = (),
) -> DeployOutcome:
    """Check, then deploy when no file is rejected (DeploymentError if the engine still refuses).

    ``force_new`` and ``attachments`` as in :func:`engine.services.designer.deployment.deploy`.
    """
    reports = check_files(session, files, as_executable=as_executable, attachments=attachments)
    if any(report.status == REJECTED for report in reports):
        return DeployOutcome(reports)
    uploads = [Resource(f.filename, r.normalized.original) for f, r in zip(files, reports, strict=True) if r.normalized]
    results = deployment.deploy(
        session, actor, uploads, now, as_executable=as_executable, force_new=force_new, attachments=attachments
    )
    return DeployOutcome(reports, results)


def list_versions(session: Session, process_key: str | None = None) -> list[versions.VersionInfo]:
    return versions.list_versions(session, process_key)


def download(
    session: Session, process_key: str, version: int | None = None, *, as_uploaded: bool = True
) -> list[tuple[str, str]]:
    """(filename, text) of a version: the exact uploaded files, or (``as_uploaded=False``) what runs."""
    return versions.version_files(session, process_key, version, as_uploaded=as_uploaded)


def diff(session: Session, process_key: str, old_version: int, new_version: int) -> DiagramDiff:
    """Elements added, removed and changed between two versions (as uploaded)."""
    return diff_versions(
        versions.version_files(session, process_key, old_version),
        versions.version_files(session, process_key, new_version),
    )


def instance_svg(
    session: Session,
    instance_id: int,
    now: datetime,
    *,
    names: dict[str, str] | None = None,
    state_labels: dict[str, str] | None = None,
) -> str:
    """The instance's diagram with completed/active/waiting/incident overlays, as SVG text.

    ``names`` (element id -> name) and ``state_labels`` put the diagram into the reader's language.
    """
    definition, states = versions.instance_states(session, instance_id, now)
    return version_svg(session, definition, states, names=names, state_labels=state_labels)


def version_svg(
    session: Session,
    definition: ProcessDefinition,
    states: dict[str, str] | None = None,
    *,
    names: dict[str, str] | None = None,
    state_labels: dict[str, str] | None = None,
) -> str:
    """A version's main diagram (the file that holds its process), with optional element states, as SVG text."""
    files = dict(versions.version_files(session, definition.process_key, definition.version))
    main = next(
        (
            r.filename
            for r in deployment.runnable_resources(definition)
            if r.kind == "bpmn" and any(info.process_id == definition.process_key for info in describe_bpmn(r))
        ),
        None,
    )
    return render_svg(files.get(main or "", ""), states, names=names, state_labels=state_labels)


def version_element_names(definition: ProcessDefinition) -> dict[str, str]:
    """Names of the elements of every BPMN file a version was deployed with, by element id."""
    names: dict[str, str] = {}
    for resource in deployment.runnable_resources(definition):
        if resource.kind == "bpmn":
            names.update(element_names(resource))
    return names


def plan_migration(
    session: Session, process_key: str, now: datetime, *, to_version: int | None = None, from_version: int | None = None
) -> list[InstanceMigration]:
    """Dry run: which instances can move to the target version (default: latest), and why not."""
    return migration.plan_migration(session, process_key, now, to_version=to_version, from_version=from_version)


def migrate(
    session: Session,
    actor: Actor,
    process_key: str,
    now: datetime,
    *,
    to_version: int | None = None,
    from_version: int | None = None,
    instance_ids: Sequence[int] | None = None,
    progress: Callable[[MigrationProgress], None] | None = None,
) -> MigrationProgress:
    """Move instances (each atomically, audited); ``progress`` is called after each one."""
    return migration.migrate_instances(
        session,
        actor,
        process_key,
        now,
        to_version=to_version,
        from_version=from_version,
        instance_ids=instance_ids,
        progress=progress,
    )
