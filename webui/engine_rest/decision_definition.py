"""``/engine-rest/decision-definition``: every deployed decision version, one by key or id, and evaluating one.

Camunda 7.21's ``DecisionDefinitionDto``; a DMN file deployed alone (CLI, upload page, Camunda Modeler) is a
new version of each of its decisions, listed here like the ones deployed with a process.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from engine.domain.errors import NotFound
from engine.services.designer.decisions import (
    DeployedDecision,
    deployed_decisions,
    evaluate_decision,
    latest_deployed_decision,
)
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import bp, flag, integer, json_body, json_response, page
from webui.engine_rest.process_definition import may_start
from webui.engine_rest.variables import from_camunda, to_camunda


def decision_json(decision: DeployedDecision) -> dict[str, Any]:
    """``DecisionDefinitionDto``."""
    return {
        "id": decision.id, "key": decision.key, "category": "https://complaintflow.org", "name": decision.name,
        "version": decision.version, "resource": decision.filename, "deploymentId": decision.deployment,
        "decisionRequirementsDefinitionId": None, "decisionRequirementsDefinitionKey": None,
        "tenantId": None, "versionTag": decision.version_tag, "historyTimeToLive": None,
    }  # fmt: skip


def _filtered() -> list[DeployedDecision]:
    """The list query's filters: key, decisionDefinitionId, name, version, versionTag, latestVersion."""
    args = request.args
    found = deployed_decisions(db(), args.get("key") or None)
    if args.get("decisionDefinitionId"):
        found = [d for d in found if d.id == args["decisionDefinitionId"]]
    if args.get("name"):
        found = [d for d in found if d.name == args["name"]]
    if args.get("version"):
        version = integer(args["version"], "version", minimum=1)
        found = [d for d in found if d.version == version]
    if args.get("versionTag"):
        found = [d for d in found if d.version_tag == args["versionTag"]]
    if flag(args.get("latestVersion", False)):
        newest = {d.key: d for d in found}  # sorted by key and version: the last one of each key wins
        found = list(newest.values())
    return found


@bp.get("/decision-definition")
@rest_call
def list_decisions() -> Response:
    may_start(current_actor())
    return json_response([decision_json(d) for d in page(_filtered())])


@bp.get("/decision-definition/count")
@rest_call
def count_decisions() -> Response:
    may_start(current_actor())
    return json_response({"count": len(_filtered())})


@bp.get("/decision-definition/key/<key>")
@rest_call
def get_decision_by_key(key: str) -> Response:
    may_start(current_actor())
    return json_response(decision_json(latest_deployed_decision(db(), key)))


@bp.get("/decision-definition/<ref>")
@rest_call
def get_decision(ref: str) -> Response:
    may_start(current_actor())
    found = next((d for d in deployed_decisions(db(), ref.split(":", 1)[0]) if d.id == ref), None)
    if found is None:
        raise NotFound(f"no deployed decision definition with id {ref!r}")
    return json_response(decision_json(found))


@bp.post("/decision-definition/key/<key>/evaluate")
@rest_call
def evaluate(key: str) -> Response:
    may_start(current_actor())
    rows = evaluate_decision(db(), key, from_camunda(json_body().get("variables")), now())
    return json_response([to_camunda(row) for row in rows])
