"""Camunda Modeler's deploy dialog with a DMN file alone: its decisions get new versions."""

from __future__ import annotations

from flask import Flask

from tests.camunda7.conftest import basic
from tests.camunda7.test_modeler_replay import _deploy
from tests.feel.test_decision_tasks import DMN


def test_deploy_a_dmn_file_alone_from_camunda_modeler(rest_app: tuple[Flask, str]) -> None:
    app, _ = rest_app
    headers = {"accept": "application/json", "authorization": basic("designer")["Authorization"]}
    response = _deploy(app.test_client(), headers, {"dish.dmn": DMN})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert {d["key"] for d in response.json["deployedDecisionDefinitions"].values()} == {"dish", "beverages"}
    assert response.json["deployedProcessDefinitions"] is None
