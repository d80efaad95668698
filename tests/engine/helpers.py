"""Helpers for engine tests: actors, deploying files, reading task rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.bpmn.resources import Resource
from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN, ROLE_AGENT, ROLE_TEAM_LEAD
from engine.services.designer import deployment
from engine.services.designer.deployment import DeployResult
from engine.store import queries
from engine.store.models import HumanTask

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DIAGRAMS = Path(__file__).resolve().parent / "diagrams"

ADMIN = Actor("admin", roles=frozenset({ROLE_ADMIN}))
ANNA = Actor("anna", groups=frozenset({"agent"}), roles=frozenset({ROLE_AGENT}))
BERND = Actor("bernd", groups=frozenset({"agent"}), roles=frozenset({ROLE_AGENT}))
CARLA = Actor("carla", groups=frozenset({"second_level"}), roles=frozenset({ROLE_AGENT}))
LEA = Actor("lea", groups=frozenset({"team_lead"}), roles=frozenset({ROLE_TEAM_LEAD}))

BASIC = [EXAMPLES / "complaint_basic.bpmn", EXAMPLES / "complaint_priority.dmn"]


def resources(*paths: Path) -> list[Resource]:
    return [Resource(path.name, path.read_text(encoding="utf-8")) for path in paths]


def deploy_paths(session: Session, now: datetime, *paths: Path) -> list[DeployResult]:
    return deployment.deploy(session, ADMIN, resources(*paths), now)


def open_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    return list(queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id)))


def only_task(session: Session, instance_id: int) -> HumanTask:
    tasks = open_tasks(session, instance_id)
    assert len(tasks) == 1, [task.element_id for task in tasks]
    return tasks[0]


def complaint(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"complaint_id": "C-100", "customer": "Frau Meier", "category": "billing", "amount": 80}
    data.update(overrides)
    return data
