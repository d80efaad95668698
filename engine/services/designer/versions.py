"""Deployed versions: the list, the files of one version (as uploaded or as run), the running counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.errors import NotFound
from engine.domain.messages import msg
from engine.runtime.progress import element_states
from engine.services.designer.deployment import ORIGINAL_KIND
from engine.services.instances.lifecycle import get_instance, load_run
from engine.store.models import INSTANCE_COMPLETED, ProcessDefinition, ProcessInstance


@dataclass(frozen=True)
class VersionInfo:
    """One deployed version, as a designer sees it in a list."""

    process_key: str
    version: int
    name: str
    definition_id: int
    deployed_at: datetime
    deployed_by: str
    checksum: str
    files: tuple[str, ...]
    normalized: bool  # the engine runs a normalised copy; the exact upload is kept too
    running_instances: int


def list_versions(session: Session, process_key: str | None = None) -> list[VersionInfo]:
    """Every deployed version (of one process, or of all), newest first per process."""
    query = select(ProcessDefinition).order_by(ProcessDefinition.process_key, ProcessDefinition.version.desc())
    if process_key:
        query = query.where(ProcessDefinition.process_key == process_key)
    definitions = list(session.scalars(query))
    running = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count(ProcessInstance.id))
            .where(ProcessInstance.status != INSTANCE_COMPLETED)
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    if process_key and not definitions:
        raise NotFound(msg("notfound.process", process_key=process_key))
    return [
        VersionInfo(
            process_key=d.process_key,
            version=d.version,
            name=d.name,
            definition_id=d.id,
            deployed_at=d.deployed_at,
            deployed_by=d.deployed_by,
            checksum=d.checksum,
            files=tuple(sorted({r.filename for r in d.resources})),
            normalized=any(r.kind == ORIGINAL_KIND for r in d.resources),
            running_instances=int(running.get(d.id, 0)),
        )
        for d in definitions
    ]


def get_version(session: Session, process_key: str, version: int | None = None) -> ProcessDefinition:
    """One version (default: the latest); NotFound names what is missing."""
    query = select(ProcessDefinition).where(ProcessDefinition.process_key == process_key)
    query = query.where(ProcessDefinition.version == version) if version else query
    definition = session.scalars(query.order_by(ProcessDefinition.version.desc())).first()
    if definition is None:
        raise NotFound(
            msg("notfound.process_version", process_key=process_key, version=version)
            if version
            else msg("notfound.process", process_key=process_key)
        )
    return definition


def version_files(
    session: Session, process_key: str, version: int | None = None, *, as_uploaded: bool = True
) -> list[tuple[str, str]]:
    """(filename, text) of a version's files: exactly as uploaded (default) or as the engine runs them."""
    definition = get_version(session, process_key, version)
    originals = {r.filename: r.content for r in definition.resources if r.kind == ORIGINAL_KIND}
    files = []
    for resource in definition.resources:
        if resource.kind == ORIGINAL_KIND:
            continue
        content = originals.get(resource.filename, resource.content) if as_uploaded else resource.content
        files.append((resource.filename, content))
    return files


def instance_states(session: Session, instance_id: int, now: datetime) -> tuple[ProcessDefinition, dict[str, str]]:
    """The version an instance runs on and the state of each of its elements (for the diagram overlay)."""
    instance = get_instance(session, instance_id)
    return instance.definition, element_states(load_run(session, instance, now))
