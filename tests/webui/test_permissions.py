"""The permission matrix of docs/permissions.md, checked route by route and role by role."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload
from engine.services.casework import cases as casework
from engine.services.casework import knowledge
from engine.services.delivery import webhooks
from engine.services.intake import channels as intake
from engine.services.sla import calendar_admin
from engine.services.sla.business_calendars import CalendarData
from engine.services.users import api_tokens
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ADMIN = Actor("admin", frozenset(), frozenset({"admin"}))
LEAD = Actor("lead", frozenset({"team_lead", "agent"}), frozenset({"team_lead"}))
ROW = re.compile(r"^\| `(GET|POST) ([^`]+)` \|(.+)\|$")
POST_DATA = {"name": "matrix", "kind": "note", "body": "from the matrix test"}
# The staff UI's blueprints; the customer portal, the REST API and the designer pages have their own rules.
STAFF_BLUEPRINTS = {
    "auth", "tasks", "workload", "task", "cases", "case_intake", "attachments", "inbox", "kb", "admin", "profile",
    "cockpit", "notices", "audit", "privacy", "admin_calendars", "admin_tokens", "admin_webhooks", "admin_sla",
    "admin_mail", "register", "returns", "trends",
}  # fmt: skip


def matrix() -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| route |"))
    roles = [cell.strip() for cell in header.strip("|").split("|")][1:]
    rows = []
    for line in lines:
        match = ROW.match(line)
        if match:
            rows.append((match.group(1), match.group(2), [cell.strip() for cell in match.group(3).split("|")]))
    return roles, rows


def test_the_matrix_covers_every_route_of_the_staff_ui(app: Flask) -> None:
    _roles, rows = matrix()
    documented = {re.sub(r"\{[^}]+\}|agent$", "<x>", path.split("?")[0]) for _method, path, _cells in rows}
    routes = {
        re.sub(r"<[^>]+>", "<x>", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in STAFF_BLUEPRINTS and not rule.rule.startswith("/sign-in")
    }
    # Every route is in the table, or is an action whose permission equals a documented one of the same page.
    same_as_documented = {
        "/task/<x>/unclaim", "/task/<x>/complete", "/cases/<x>/handover", "/cases/<x>/reply",
        "/cases/<x>/request-info", "/cases/<x>/subtasks", "/tasks/filters/<x>/delete", "/inbox/<x>/claim",
        "/kb/<x>/delete", "/admin/templates/<x>",
    }  # fmt: skip
    assert routes - documented - same_as_documented == set()


def _placeholders(database: DatabaseUnderTest, seeded: Seeded, now: datetime) -> dict[str, str]:
    with database.session() as session:
        l2_case = session.query(Complaint).filter_by(reference=seeded.complaints["big"]).one()
        article = knowledge.save_article(session, LEAD, None, knowledge.ArticleData("Matrix", "Body", "billing"), now)
        handover = casework.hand_over(
            session, LEAD, l2_case.id, "billing", "Booked twice?", now + timedelta(days=1), now
        )
        case = session.query(Complaint).filter_by(reference=seeded.complaints["billing"]).one()
        subtask = casework.create_subtask(session, LEAD, case.id, "agent", "Check", "", now + timedelta(days=1), now)
        pdf = Upload("invoice.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")
        info = intake.add_customer_information(
            session, Actor("portal"), case.reference, "Invoice", [pdf], AttachmentLimits(), now, source="web"
        )
        attachment = session.scalars(select(CustomerAttachment.id).where(CustomerAttachment.note_id == info.id)).one()
        hook = webhooks.create_endpoint(session, ADMIN, "https://crm.example.org/hook", ["*"], now)
        token, _plain = api_tokens.create_token(session, ADMIN, "matrix", "agent", now, scope="read")
        calendar = calendar_admin.save_calendar(session, ADMIN, CalendarData("matrix_desk", timezone="UTC"), now)
        return {
            "{task}": seeded.tasks["billing"],
            "{l2_task}": seeded.tasks["big"],
            "{case}": seeded.complaints["billing"],
            "{l2_case}": seeded.complaints["big"],
            "{article}": str(article.id),
            "{handover}": str(handover.id),
            "{subtask}": str(subtask.id),
            "{attachment}": str(attachment),
            "{instance}": str(case.instance_id),
            "{chart}": "over_time",
            "{customer}": str(case.customer_id),
            "{calendar}": calendar.name,
            "{token}": str(token.id),
            "{webhook}": str(hook.id),
            "{delivery}": "999999",
            "{return}": "fca",
        }


def test_permission_matrix(
    app: Flask,
    client_for: Callable[[str], Client],
    database: DatabaseUnderTest,
    seeded: Seeded,
    now: datetime,
) -> None:
    roles, rows = matrix()
    assert roles == ["anonymous", "agent", "lead", "dept", "manager", "designer", "admin"]
    values = _placeholders(database, seeded, now)
    failures = []
    for column, role in enumerate(roles):
        client = Client(app) if role == "anonymous" else client_for(role)
        for method, path, cells in rows:
            url = path
            for key, value in values.items():
                url = url.replace(key, value)
            response = client.get(url) if method == "GET" else client.post(url, POST_DATA)
            expected = cells[column]
            if expected == "login":
                ok = response.status_code == 302 and "/sign-in" in response.location
            else:
                ok = response.status_code == int(expected)
                if ok and expected == "302" and path != "/sign-out":
                    ok = "/sign-in" not in response.location
            if not ok:
                failures.append(f"{role}: {method} {path} -> {response.status_code}, documented {expected}")
    assert failures == []


def test_a_manager_may_look_but_not_take_a_task(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    manager = client_for("manager")
    manager.post(f"/task/{seeded.tasks['big']}/claim")
    page = manager.text(f"/task/{seeded.tasks['big']}")
    assert "You may not do this with this task." in page and 'name="f_resolution"' not in page
