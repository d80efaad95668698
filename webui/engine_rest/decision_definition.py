"""``/engine-rest/decision-definition``: list the deployed decisions and evaluate one by key."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.services.designer.decisions import DeployedDecision, deployed_decisions, evaluate_decision
from webui.db import db, now
from webui.engine_rest.auth import current_actor, rest_call
from webui.engine_rest.common import bp, json_body, json_response, page
from webui.engine_rest.ids import instance_uuid
from webui.engine_rest.process_definition import may_start
from webui.engine_rest.variables import from_camunda, to_camunda


def decision_json(decision: DeployedDecision) -> dict[str, Any]:
    """``DecisionDefinitionDto`` (a decision is versioned with the process version that carries it)."""
    version = decision.definition.version
    return {
        "id": f"{decision.key}:{version}:{decision.definition.id}", "key": decision.key,
        "category": "https://complaintflow.org", "name": decision.name, "version": version,
        "resource": decision.filename, "deploymentId": instance_uuid(decision.definition.id),
        "decisionRequirementsDefinitionId": None, "decisionRequirementsDefinitionKey": None,
        "tenantId": None, "versionTag": None, "historyTimeToLive": None,
    }  # fmt: skip


@bp.get("/decision-definition")
@rest_call
def list_decisions() -> Response:
    may_start(current_actor())
    return json_response([decision_json(d) for d in page(deployed_decisions(db()))])


@bp.post("/decision-definition/key/<key>/evaluate")
@rest_call
def evaluate(key: str) -> Response:
    may_start(current_actor())
    rows = evaluate_decision(db(), key, from_camunda(json_body().get("variables")), now())
    return json_response([to_camunda(row) for row in rows])
