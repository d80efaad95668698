"""The cockpit pages through the Flask test client, on the standard web UI seed (four complaints, basic process)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from engine.services.instances import lifecycle as instances
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry, HumanTask, ProcessInstance
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import ADMIN, DIAGRAMS, deploy_paths
from tests.webui.support import Client, Seeded


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _instance_of(database: DatabaseUnderTest, reference: str) -> int:
    with database.session() as session:
        instance_id = session.scalars(select(Complaint.instance_id).where(Complaint.reference == reference)).one()
        assert instance_id is not None
        return instance_id


def test_agents_and_designers_cannot_open_the_cockpit(client_for: Callable[[str], Client]) -> None:
    for user in ("agent", "designer"):
        assert client_for(user).get("/cockpit/").status_code == 403
        assert client_for(user).get("/cockpit/complaints.csv").status_code == 403
    assert 'href="/cockpit/"' in client_for("manager").text("/cockpit/")  # the navigation link
    assert 'href="/cockpit/"' not in client_for("agent").text("/tasks/mine")


def test_dashboard_shows_figures_charts_and_csv_links(client_for: Callable[[str], Client]) -> None:
    page = client_for("manager").text("/cockpit/?bucket=week")
    assert re.search(r'id="kpi-created">4<', page)  # the four seeded complaints of the last days
    # Eight charts; no root cause is recorded and no task completed yet, so two of them show the empty mark.
    assert page.count('<svg class="chart"') == 6 and page.count('<p class="muted">–</p>') == 2
    assert "/cockpit/charts/over_time.csv?bucket=week" in page and "/cockpit/complaints.csv?bucket=week" in page
    # Unknown parameters are not carried into the links (a "name" one would clash with the chart's name).
    assert client_for("manager").get("/cockpit/?name=x&bucket=week").status_code == 200


def test_chart_numbers_as_csv(client_for: Callable[[str], Client], now: datetime) -> None:
    manager = client_for("manager")
    response = manager.get("/cockpit/charts/over_time.csv?start=2026-11-19&end=2026-11-23")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    assert rows[0] == ["period_start", "new", "closed", "open"]
    # Opened 4 days, 2 days, 2 hours and 1 hour before now (Monday 23 Nov, 09:00).
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("2026-11-19", "1", "1"), ("2026-11-20", "0", "1"), ("2026-11-21", "1", "2"), ("2026-11-22", "0", "2"),
        ("2026-11-23", "2", "4"),
    ]  # fmt: skip
    categories = _rows(manager.get("/cockpit/charts/category.csv").get_data(as_text=True))
    assert categories == [["category", "complaints"], ["billing", "3"], ["delivery", "1"]]
    assignment = _rows(manager.get("/cockpit/charts/assignment.csv").get_data(as_text=True))
    assert assignment == [["tasks", "count"], ["assigned", "0"], ["unassigned", "4"]]
    channel = _rows(manager.get("/cockpit/charts/complainants.csv?channel=web").get_data(as_text=True))
    assert [row[1:] for row in channel[1:]] == [["Firma Acme", "1"], ["Frau Meier", "1"]]
    assert manager.get("/cockpit/charts/nothing.csv").status_code == 404
    assert manager.get("/cockpit/charts/backlog.csv?start=yesterday").status_code == 400
    assert manager.get("/cockpit/?bucket=year").status_code == 400


def test_chart_numbers_in_german(client_for: Callable[[str], Client], now: datetime) -> None:
    manager = client_for("manager")
    assert manager.post("/profile/", {"language": "de"}).status_code == 302

    def rows(path: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(manager.get(path).get_data(as_text=True)), delimiter=";"))

    over_time = rows("/cockpit/charts/over_time.csv?start=2026-11-19&end=2026-11-20")
    assert over_time[0] == ["Periodenbeginn", "neu", "geschlossen", "offen"]
    assert [row[0] for row in over_time[1:]] == ["19.11.2026", "20.11.2026"]
    assert rows("/cockpit/charts/category.csv") == [
        ["Kategorie", "Reklamationen"],
        ["Abrechnung", "3"],
        ["Lieferung", "1"],
    ]
    assert rows("/cockpit/charts/assignment.csv")[1:] == [["zugewiesen", "0"], ["nicht zugewiesen", "4"]]
    # ?raw=1 keeps the machine-readable form in every language.
    assert _rows(manager.get("/cockpit/charts/category.csv?raw=1").get_data(as_text=True))[1] == ["billing", "3"]


def test_complaint_list_export_has_every_column(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    rows = _rows(client_for("lead").get("/cockpit/complaints.csv?category=billing").get_data(as_text=True))
    header = rows[0]
    assert {"reference", "channel", "category", "sla_pauses", "csat", "customer_name", "customer_email"} <= set(header)
    references = {row[header.index("reference")] for row in rows[1:]}
    assert references == {seeded.complaints[key] for key in ("billing", "big", "again")}
    assert {row[header.index("customer_name")] for row in rows[1:]} == {"Frau Meier", "Firma Acme"}


def test_process_versions_with_instance_counts(client_for: Callable[[str], Client]) -> None:
    page = client_for("admin").text("/cockpit/processes")
    assert "complaint_basic" in page
    assert "/cockpit/instances?process=complaint_basic&amp;version=1&amp;status=running" in page


def test_instance_list_filters_and_search(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    manager = client_for("manager")
    everything = manager.text("/cockpit/instances")
    assert all(reference in everything for reference in seeded.complaints.values())
    found = manager.text(f"/cockpit/instances?q={seeded.complaints['delivery']}")
    assert seeded.complaints["delivery"] in found and seeded.complaints["billing"] not in found
    assert "No instance matches" in manager.text("/cockpit/instances?status=completed")
    assert "No instance matches" in manager.text("/cockpit/instances?version=2")
    # Make one task overdue: only its instance is listed as overdue.
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks["big"])
        assert task is not None
        task.due_at = datetime(2026, 11, 1, tzinfo=task.created_at.tzinfo)
        session.commit()
    overdue = manager.text("/cockpit/instances?overdue=1")
    assert seeded.complaints["big"] in overdue and seeded.complaints["billing"] not in overdue
    assert manager.get("/cockpit/instances?status=lost").status_code == 400
    # Part of a customer's name finds their instances; so does the activity a person has to do.
    meier = manager.text("/cockpit/instances?q=meier")
    assert seeded.complaints["billing"] in meier and seeded.complaints["again"] in meier
    assert seeded.complaints["delivery"] not in meier
    with database.session() as session:
        element = session.get(HumanTask, seeded.tasks["delivery"])
        assert element is not None
        activity = element.element_id
    waiting = manager.text(f"/cockpit/instances?activity={activity}")
    assert seeded.complaints["delivery"] in waiting
    assert "No instance matches" in manager.text("/cockpit/instances?activity=approve_resolution")
    # Opened 4 days, 2 days, 2 hours and 1 hour ago: older than 3 days is only the delivery complaint.
    old = manager.text("/cockpit/instances?age=3")
    assert seeded.complaints["delivery"] in old and seeded.complaints["big"] not in old
    assert manager.get("/cockpit/instances?age=many").status_code == 400


def test_instance_view_highlights_the_active_task(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    instance_id = _instance_of(database, seeded.complaints["billing"])
    with database.session() as session:
        task = session.get(HumanTask, seeded.tasks["billing"])
        assert task is not None
        element_id, title = task.element_id, task.title
    page = client_for("manager").text(f"/cockpit/instances/{instance_id}")
    assert re.search(rf'<g class="element active" data-element-id="{element_id}"', page)
    assert title in page and seeded.complaints["billing"] in page
    assert "instance_started" in page or "Audit trail" in page
    assert client_for("manager").get("/cockpit/instances/999999").status_code == 404


def test_retry_an_incident_goes_through_the_service(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
        failed = instances.start_instance(session, ADMIN, "script_flow", {"amount": 100, "divisor": 0}, now)
        instance_id = failed.id
    manager = client_for("manager")
    page = manager.text(f"/cockpit/instances/{instance_id}")
    assert "division by zero" in page and f"/cockpit/instances/{instance_id}/retry" in page
    assert manager.post(f"/cockpit/instances/{instance_id}/retry", csrf=False).status_code == 400
    assert client_for("agent").post(f"/cockpit/instances/{instance_id}/retry").status_code == 403
    response = manager.post(f"/cockpit/instances/{instance_id}/retry")
    assert response.status_code == 302 and response.location.endswith(f"/cockpit/instances/{instance_id}")
    assert "The step failed again" in manager.text(f"/cockpit/instances/{instance_id}")
    with database.session() as session:
        retried = session.scalars(
            select(AuditEntry).where(AuditEntry.instance_id == instance_id, AuditEntry.action == "instance_retried")
        ).all()
        assert [entry.actor for entry in retried] == ["manager"]
        row = session.get(ProcessInstance, instance_id)
        assert row is not None and row.status == "incident"
    incidents = manager.text("/cockpit/instances?status=incident")
    assert f'href="/cockpit/instances/{instance_id}"' in incidents


def test_a_retry_with_corrected_variables_fixes_the_incident(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest, now: datetime
) -> None:
    with database.session() as session:
        deploy_paths(session, now, DIAGRAMS / "script_flow.bpmn")
        instance_id = instances.start_instance(session, ADMIN, "script_flow", {"amount": 100, "divisor": 0}, now).id
    manager = client_for("manager")
    url = f"/cockpit/instances/{instance_id}/retry"
    for wrong in ("divisor: 4", "[4]"):
        response = manager.post(url, {"variables": wrong})
        assert "Changed variables must be a JSON object" in manager.text(response.location)
    with database.session() as session:
        row = session.get(ProcessInstance, instance_id)
        assert row is not None and row.status == "incident"
    response = manager.post(url, {"variables": '{"divisor": 4}'})
    assert "The failed step ran again" in manager.text(response.location)
    with database.session() as session:
        row = session.get(ProcessInstance, instance_id)
        assert row is not None and row.status != "incident" and row.variables["refund"] == 25
        retried = session.scalars(
            select(AuditEntry).where(AuditEntry.instance_id == instance_id, AuditEntry.action == "instance_retried")
        ).one()
        assert retried.after is not None and retried.after.get("divisor") == 4


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == seeded.complaints["billing"])).one()
        complaint.subject = '=HYPERLINK("http://evil.example","x")'
        session.commit()
    rows = _rows(client_for("manager").get("/cockpit/complaints.csv").get_data(as_text=True))
    subjects = [row[rows[0].index("subject")] for row in rows[1:]]
    assert "'" + '=HYPERLINK("http://evil.example","x")' in subjects
