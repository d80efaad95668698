"""Deploying BPMN/DMN files as new versions of process definitions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.camunda_forms import forms_by_id
from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.dmn.dialect import FEEL, dialect
from engine.bpmn.normalize.pipeline import DiagramRejected, NormalizedFile, blocking, normalize_resources
from engine.bpmn.resources import ProcessInfo, Resource, describe_bpmn, describe_dmn, dmn_namespaces, parse_xml
from engine.domain.actors import Actor
from engine.domain.errors import DeploymentError, NotFound
from engine.domain.messages import msg
from engine.runtime.lint import lint_specs
from engine.runtime.parser import parse_process
from engine.runtime.serialization import SPEC_CACHE, ParsedDefinition
from engine.services.audit import record
from engine.services.designer.decision_versions import (
    DecisionVersion,
    bound_decision_file,
    latest_decision,
    latest_decisions,
    store_decisions,
)
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.camunda_form_queries import ATTACHMENT_KIND, deployed_forms
from engine.store.models import DefinitionResource, ProcessDefinition
from engine.store.queries import latest_definition, latest_definitions

MAX_FILE_BYTES = 5 * 1024 * 1024
# The exact uploaded file of a normalised resource is kept beside it under this kind, for download.
ORIGINAL_KIND = "original"


@dataclass(frozen=True)
class DeployResult:
    """The version a process got; ``created`` is False when the same content was already deployed."""

    process_key: str
    name: str
    version: int
    definition_id: int
    created: bool
    diagnostics: tuple[Diagnostic, ...] = ()
    kind: str = "process"  # "decision" for a DMN file deployed alone (process_key is the decision id)


def decode_upload(filename: str, data: bytes) -> Resource:
    """Check size and encoding of an uploaded file."""
    if not filename.lower().endswith((".bpmn", ".bpmn20.xml", ".dmn", ".xml")):
        raise DeploymentError(msg("deploy.file_type"), filename=filename)
    if len(data) > MAX_FILE_BYTES:
        raise DeploymentError(msg("deploy.file_too_large", size=MAX_FILE_BYTES // (1024 * 1024)), filename=filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DeploymentError(msg("deploy.not_utf8"), filename=filename) from None
    return Resource(filename, text)


def _checksum(resources: list[Resource]) -> str:
    digest = hashlib.sha256()
    for content_hash in sorted(hashlib.sha256(r.content.encode()).hexdigest() for r in resources):
        digest.update(content_hash.encode())
    return digest.hexdigest()


class _Catalogue:
    """Where each process id and decision id can be found: the upload first, then deployed versions."""

    def __init__(self, session: Session, uploaded: list[Resource]) -> None:
        self.session = session
        self.processes: dict[str, ProcessInfo] = {}
        self.process_files: dict[str, Resource] = {}
        self.decision_files: dict[str, Resource] = {}
        self.dmn_namespaces: dict[str, Resource] = {}  # what a DMN <import namespace="..."> finds
        for resource in uploaded:
            self._add(resource)
        self.uploaded_decisions = dict(self.decision_files)
        self._deployed_loaded = False

    def _add(self, resource: Resource, override: bool = True) -> None:
        if resource.kind == "dmn":
            namespace, _ = dmn_namespaces(resource)
            if override or namespace not in self.dmn_namespaces:
                self.dmn_namespaces[namespace] = resource
            for decision_id in describe_dmn(resource):
                if override or decision_id not in self.decision_files:
                    self.decision_files[decision_id] = resource
            return
        for info in describe_bpmn(resource):
            if override or info.process_id not in self.processes:
                self.processes[info.process_id] = info
                self.process_files[info.process_id] = resource

    def load_deployed(self) -> None:
        if self._deployed_loaded:
            return
        self._deployed_loaded = True
        # Decisions deployed on their own come first: they are at least as new as a process's copy.
        for decision in latest_decisions(self.session):
            self._add(Resource(decision.filename, decision.content), override=False)
        for definition in latest_definitions(self.session):
            for stored in runnable_resources(definition):
                self._add(Resource(stored.filename, stored.content), override=False)

    def bundle(self, process_id: str) -> list[Resource]:
        """The process's own file plus every file it needs, transitively."""
        needed: dict[str, Resource] = {}
        pending, seen = [process_id], set()
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            if current not in self.processes:
                self.load_deployed()
            info = self.processes.get(current)
            if info is None:
                raise DeploymentError(msg("deploy.called_process_missing", current=current), element_id=current)
            resource = self.process_files[current]
            needed[resource.content] = resource
            pending.extend(info.called_processes)
            for decision_id in info.decisions:
                dmn = self._decision_file(info, decision_id)
                needed[dmn.content] = dmn
                for imported in self._imports(dmn, info):
                    needed[imported.content] = imported
        return list(needed.values())

    def _imports(self, dmn: Resource, info: ProcessInfo) -> list[Resource]:
        """The DMN files ``dmn`` imports, transitively: from the upload, else the latest deployed."""
        found: list[Resource] = []
        pending, seen = [dmn], set()
        while pending:
            _, wanted = dmn_namespaces(pending.pop())
            for namespace in wanted:
                if namespace in seen:
                    continue
                seen.add(namespace)
                if namespace not in self.dmn_namespaces:
                    self.load_deployed()
                imported = self.dmn_namespaces.get(namespace)
                if imported is None:
                    raise DeploymentError(
                        msg("deploy.dmn_import_missing", filename=dmn.filename, namespace=namespace),
                        filename=info.filename,
                    )
                found.append(imported)
                pending.append(imported)
        return found

    def _latest_decision_file(self, info: ProcessInfo, decision_id: str) -> Resource:
        if decision_id not in self.decision_files:
            self.load_deployed()
        dmn = self.decision_files.get(decision_id)
        if dmn is None:
            raise DeploymentError(
                msg("deploy.decision_missing", decision_id=decision_id),
                filename=info.filename,
                element_id=decision_id,
            )
        return dmn

    def _decision_file(self, info: ProcessInfo, decision_id: str) -> Resource:
        """The DMN file the process's business rule tasks bind ``decision_id`` to (one version per process)."""
        chosen: dict[str, Resource] = {}
        for binding in [b for b in info.decision_bindings if b.decision_id == decision_id]:
            uploaded = self.uploaded_decisions.get(decision_id)
            found = bound_decision_file(self.session, binding, uploaded, info.filename)
            found = found or self._latest_decision_file(info, decision_id)
            chosen.setdefault(found.content, found)
        if len(chosen) > 1:
            raise DeploymentError(
                msg("deploy.decision_versions_differ", process_id=info.process_id, decision_id=decision_id),
                filename=info.filename,
                element_id=decision_id,
            )
        return next(iter(chosen.values())) if chosen else self._latest_decision_file(info, decision_id)


@unit_of_work
def deploy(
    session: Session,
    actor: Actor,
    uploads: list[Resource],
    now: datetime,
    *,
    as_executable: bool = False,
    force_new: bool = False,
    attachments: Sequence[Resource] = (),
) -> list[DeployResult]:
    """Deploy every executable process in the BPMN files; unchanged content keeps its version.

    ``force_new`` makes a new version even of unchanged content (Camunda's deployment without duplicate
    filtering); ``attachments`` (Camunda forms, ...) are stored with every new version, never run.

    Uploads are normalised first (vendor dialects, implicit splits, decoration); ``as_executable`` also
    deploys descriptive processes, their plain tasks as human tasks. What cannot run is refused with
    :class:`DiagramRejected`, which carries every located diagnostic.
    """
    if not uploads:
        raise DeploymentError(msg("deploy.no_files"))
    forms = {**deployed_forms(session), **forms_by_id(r.content for r in attachments if r.filename.endswith(".form"))}
    normalized = normalize_resources(uploads, as_executable=as_executable, forms=forms)
    problems = blocking(normalized)
    if problems:
        raise DiagramRejected(problems)
    runnable = [item.resource for item in normalized]
    catalogue = _Catalogue(session, runnable)
    process_ids = [
        info.process_id
        for resource in runnable
        if resource.kind == "bpmn"
        for info in describe_bpmn(resource)
        if info.executable
    ]
    process_ids += _processes_using_new_decisions(catalogue, runnable, process_ids)
    decisions = [
        version
        for item in normalized
        if item.resource.kind == "dmn"
        for version in store_decisions(session, actor, item.resource, now, tuple(item.diagnostics))
    ]
    if not process_ids and not decisions:
        raise DeploymentError(msg("deploy.no_executable"), filename=uploads[0].filename)
    if not process_ids:
        # A DMN file alone: its decisions are versioned, processes deployed later find the latest.
        commit(session, "another deployment of the same decision happened at the same time; deploy again")
        return [_decision_result(session, version) for version in decisions]
    results = []
    for process_id in process_ids:
        bundle = catalogue.bundle(process_id)
        spec, subprocess_specs = parse_process(bundle, process_id)
        problems_found = lint_specs([spec, *subprocess_specs.values()])
        if problems_found:
            first = problems_found[0]
            raise DeploymentError(
                (
                    msg("deploy.script_invalid", message=first.message)
                    if first.target is None
                    else msg("deploy.condition_invalid", target=first.target, message=first.message)
                ),
                filename=catalogue.processes[process_id].filename,
                element_id=first.element_id,
            )
        name = catalogue.processes[process_id].name
        stored = _store_version(session, actor, process_id, name, bundle, normalized, now, force_new, attachments)
        results.append(stored)
    commit(session, "another deployment of the same process happened at the same time; deploy again")
    return results


def _decision_result(session: Session, version: DecisionVersion) -> DeployResult:
    row = latest_decision(session, version.decision_key)
    return DeployResult(
        version.decision_key,
        version.decision_key,
        version.version,
        row.id if row is not None else 0,
        version.created,
        version.diagnostics,
        kind="decision",
    )


def _processes_using_new_decisions(catalogue: _Catalogue, uploads: list[Resource], already: list[str]) -> list[str]:
    """Deployed processes that call a decision of an uploaded older-dialect DMN file get a new version with it.

    A FEEL decision needs none: business rule tasks look up its latest (or tagged) version each time they
    run (engine.runtime.decisions). SpiffWorkflow's engine, which runs the older dialect, cannot switch
    tables at run time, so those processes are redeployed with the new file as before.
    """
    decisions = {
        decision
        for resource in uploads
        if resource.kind == "dmn" and dialect(parse_xml(resource)) != FEEL
        for decision in describe_dmn(resource)
    }
    if not decisions:
        return []
    catalogue.load_deployed()
    # Processes bound to the deployment or to a fixed version keep their table.
    following = {
        process_id: {b.decision_id for b in info.decision_bindings if b.binding in ("latest", "versionTag")}
        for process_id, info in catalogue.processes.items()
    }
    return sorted(
        process_id
        for process_id, info in catalogue.processes.items()
        if info.executable and following[process_id] & decisions and process_id not in already
    )


def _store_version(
    session: Session,
    actor: Actor,
    process_id: str,
    name: str,
    bundle: list[Resource],
    normalized: list[NormalizedFile],
    now: datetime,
    force_new: bool = False,
    attachments: Sequence[Resource] = (),
) -> DeployResult:
    checksum = _checksum([*bundle, *attachments])
    uploaded = {item.content: item for item in normalized}
    notes = tuple(d for r in bundle if r.content in uploaded for d in uploaded[r.content].diagnostics)
    latest = latest_definition(session, process_id)
    if latest is not None and latest.checksum == checksum and not force_new:
        return DeployResult(process_id, latest.name, latest.version, latest.id, created=False, diagnostics=notes)
    rows = [DefinitionResource(filename=r.filename, kind=r.kind, content=r.content) for r in bundle]
    rows += [
        DefinitionResource(filename=r.filename, kind=ORIGINAL_KIND, content=uploaded[r.content].original)
        for r in bundle
        if r.content in uploaded and uploaded[r.content].changed
    ]
    rows += [DefinitionResource(filename=r.filename, kind=ATTACHMENT_KIND, content=r.content) for r in attachments]
    definition = ProcessDefinition(
        process_key=process_id,
        version=(latest.version + 1) if latest else 1,
        name=name,
        checksum=checksum,
        deployed_at=now,
        deployed_by=actor.username,
        resources=rows,
    )
    session.add(definition)
    session.flush()
    record(
        session,
        actor,
        "process_deployed",
        now,
        after={
            "process_key": process_id,
            "version": definition.version,
            "checksum": checksum,
            "files": [r.filename for r in bundle],
        },
    )
    return DeployResult(process_id, name, definition.version, definition.id, created=True, diagnostics=notes)


def runnable_resources(definition: ProcessDefinition) -> list[Resource]:
    """The files a stored version runs (normalised), without the kept original uploads."""
    return [Resource(r.filename, r.content) for r in definition.resources if r.kind in ("bpmn", "dmn")]


def parsed_definition(definition: ProcessDefinition) -> ParsedDefinition:
    """The parsed specs of a stored version, parsed once per process and cached by content checksum."""

    def load() -> ParsedDefinition:
        resources = runnable_resources(definition)
        spec, subprocess_specs = parse_process(resources, definition.process_key)
        return ParsedDefinition(spec, subprocess_specs)

    return SPEC_CACHE.get(f"{definition.process_key}:{definition.checksum}", load)


def definition_for_start(session: Session, process_key: str, version: int | None = None) -> ProcessDefinition:
    """The latest version of a process, or the given one."""
    if version is None:
        definition = latest_definition(session, process_key)
    else:
        definition = session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.process_key == process_key, ProcessDefinition.version == version
            )
        ).first()
    if definition is None:
        raise NotFound(
            msg("notfound.process_version", process_key=process_key, version=version)
            if version
            else msg("notfound.process", process_key=process_key)
        )
    return definition
