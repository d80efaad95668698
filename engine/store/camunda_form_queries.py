"""The Camunda Forms of a deployed process version: which user task shows which form, and the forms deployed.

A user task links its form with ``zeebe:formDefinition`` (kept in the deployed diagram): ``formId`` names a
``.form`` file deployed with the version (or, as Camunda's default "latest" binding does, the newest form
of that id deployed with any version), ``formKey="camunda-forms:bpmn:X"`` a form embedded in the diagram.
A version's files never change, so its forms are read once per version and kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.bpmn_xml import ZEEBE_NS, load_xml
from engine.bpmn.camunda_forms import CamundaForm, FormUnreadable, form_id_of, forms_by_id, parse_form
from engine.store.models import DefinitionResource, ProcessDefinition

ATTACHMENT_KIND = "attachment"  # as engine.services.designer.deployment stores a version's other files
_EMBEDDED = "camunda-forms:bpmn:"
# Keyed by the version's checksum too, as engine.store.diagram_text_queries explains.
_CACHE: dict[tuple[int, str], dict[str, CamundaForm]] = {}
_LOCK = threading.Lock()


def deployed_forms(session: Session) -> dict[str, str]:
    """Form id -> JSON text of every deployed ``.form`` file, the newest deployment of an id winning."""
    query = (
        select(DefinitionResource.content)
        .where(DefinitionResource.kind == ATTACHMENT_KIND, DefinitionResource.filename.like("%.form"))
        .order_by(DefinitionResource.id)
    )
    return forms_by_id(session.scalars(query))


def _zeebe(name: str) -> str:
    return f"{{{ZEEBE_NS}}}{name}"


def _linked(root: etree._Element) -> dict[str, tuple[str, str]]:
    """Element id -> ("embedded" or "id", the form's key) for each user task with a form definition."""
    links = {}
    for definition in root.iter(_zeebe("formDefinition")):
        owner = definition.getparent()
        owner = owner.getparent() if owner is not None else None
        if owner is None or not owner.get("id"):
            continue
        form_key, form_id = (definition.get("formKey") or "").strip(), (definition.get("formId") or "").strip()
        if form_key.startswith(_EMBEDDED):
            links[owner.get("id", "")] = ("embedded", form_key[len(_EMBEDDED) :])
        elif form_id:
            links[owner.get("id", "")] = ("id", form_id)
    return links


def _read_forms(session: Session, definition_id: int) -> dict[str, CamundaForm]:
    resources = session.scalars(
        select(DefinitionResource).where(DefinitionResource.definition_id == definition_id)
    ).all()
    own = {form_id_of(r.content): r.content for r in resources if r.kind == ATTACHMENT_KIND}
    forms: dict[str, CamundaForm] = {}
    others: dict[str, str] | None = None
    for resource in resources:
        if resource.kind != "bpmn":
            continue
        root = load_xml(resource.content)
        embedded = {node.get("id", ""): node.text or "" for node in root.iter(_zeebe("userTaskForm"))}
        for element_id, (how, key) in _linked(root).items():
            document = embedded.get(key) if how == "embedded" else own.get(key)
            if document is None and how == "id":
                others = deployed_forms(session) if others is None else others
                document = others.get(key)
            if document is None:
                continue
            try:
                forms[element_id] = parse_form(document)
            except FormUnreadable:
                continue  # the deployment's check warned; the task shows no fields
    return forms


def camunda_form_for(session: Session, definition_id: int, element_id: str) -> CamundaForm | None:
    """The Camunda Form the user task ``element_id`` of this version shows, or None when it links none."""
    definition = session.get(ProcessDefinition, definition_id)
    cache_key = (definition_id, definition.checksum if definition is not None else "")
    with _LOCK:
        cached = _CACHE.get(cache_key)
    if cached is None:
        cached = _read_forms(session, definition_id)
        with _LOCK:
            _CACHE[cache_key] = cached
    return cached.get(element_id)


def form_version(session: Session, form: CamundaForm) -> int:
    """The form's version among the deployed forms of its id: 1 for the first content deployed, one more per change."""
    query = (
        select(DefinitionResource.content)
        .where(DefinitionResource.kind == ATTACHMENT_KIND, DefinitionResource.filename.like("%.form"))
        .order_by(DefinitionResource.id)
    )
    contents: list[Any] = []
    for content in session.scalars(query):
        try:
            parsed = parse_form(content)
        except FormUnreadable:
            continue
        if parsed.id == form.id and parsed.raw not in contents:
            contents.append(parsed.raw)
    return contents.index(form.raw) + 1 if form.raw in contents else 1


def form_key(form: CamundaForm) -> str:
    """A Camunda Form's key: a number from its content (a changed form is a new key, as a new version is)."""
    text = json.dumps(form.raw, sort_keys=True)
    return str(int(hashlib.sha256(text.encode()).hexdigest()[:15], 16))
