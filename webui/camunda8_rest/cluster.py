"""``GET /v2/topology``: the cluster as Camunda 8 describes it; complaintflow is one node with one partition.

Clients call it to check the connection and the credentials before they start workers.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Response, request

from webui.camunda8_rest.common import DEFAULT_TENANT, bp, json_response, v2_call


def _version() -> str:
    try:
        return version("complaintflow")
    except PackageNotFoundError:
        return "0"


@bp.get("/topology")
@v2_call
def topology() -> Response:
    release = _version()
    partition = {"partitionId": 1, "role": "leader", "health": "healthy", "state": "active"}
    host, _, port = (request.host or "localhost").partition(":")
    broker = {
        "nodeId": 0,
        "brokerId": 0,
        "host": host,
        "port": int(port) if port.isdigit() else (443 if request.scheme == "https" else 80),
        "partitions": [partition],
        "version": release,
    }
    cluster = {"partitionsCount": 1, "replicationFactor": 1, "lastCompletedChangeId": "-1", "brokers": [broker]}
    return json_response(
        {
            "clusterId": None,
            "clusterSize": 1,
            "gatewayVersion": release,
            **cluster,
            "physicalTenants": [{"physicalTenantId": DEFAULT_TENANT, **cluster}],
        }
    )
