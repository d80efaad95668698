"""Files on the case page: the list, permission-checked downloads with safe headers, and staff uploads."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload
from engine.services.intake import channels as intake
from engine.services.intake import portal as portal_service
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PORTAL = Actor("portal")


def _customer_file(database: DatabaseUnderTest, reference: str, now: datetime, name: str = "invoice.pdf") -> int:
    with database.session() as session:
        note = intake.add_customer_information(
            session, PORTAL, reference, "Here is the invoice.", [Upload(name, "application/pdf", PDF)],
            AttachmentLimits(), now, source="web",
        )  # fmt: skip
        return session.scalars(select(CustomerAttachment.id).where(CustomerAttachment.note_id == note.id)).one()


def _raw_file(database: DatabaseUnderTest, reference: str, now: datetime, name: str, kind: str, data: bytes) -> int:
    """A stored file with a type the checks would refuse today (older data, another channel): served inertly."""
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        row = CustomerAttachment(
            complaint_id=complaint.id, filename=name, content_type=kind, size=len(data), sha256="0" * 64,
            content=data, source="email", uploaded_at=now,
        )  # fmt: skip
        session.add(row)
        session.commit()
        return row.id


def test_the_case_page_lists_files_and_who_may_download_them(
    app: Flask, client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    case, l2_case = seeded.complaints["billing"], seeded.complaints["big"]
    mine, other = _customer_file(database, case, now), _customer_file(database, l2_case, now, "contract.pdf")
    page = client_for("agent").text(f"/cases/{case}")
    assert f'href="/cases/{case}/attachments/{mine}"' in page and "invoice.pdf" in page
    assert "application/pdf" in page and "customer message of" in page and "(portal)" in page
    assert "contract.pdf" not in page
    url, l2_url = f"/cases/{case}/attachments/{mine}", f"/cases/{l2_case}/attachments/{other}"
    # The same rules as the case page: agent on their group's case, department on the case offered to it,
    # supervisors everywhere, designer and admin never; a file of another case under this case's number: 404.
    expected = {
        "agent": {url: 200, l2_url: 404, f"/cases/{case}/attachments/{other}": 404},
        "dept": {url: 404, l2_url: 200},
        "lead": {url: 200, l2_url: 200},
        "manager": {url: 200, l2_url: 200},
        "designer": {url: 403, l2_url: 403},
        "admin": {url: 403, l2_url: 403},
    }
    for user, cases in expected.items():
        client = client_for(user)
        for path, status in cases.items():
            assert client.get(path).status_code == status, (user, path)
    anonymous = Client(app).get(url)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.location
    assert client_for("agent").get(f"/cases/{case}/attachments/999999").status_code == 404

    response = client_for("agent").get(url)
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert (
        response.headers["Content-Disposition"] == "attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]


def test_risky_types_and_names_are_served_inertly(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    case = seeded.complaints["billing"]
    agent = client_for("agent")
    html = _raw_file(database, case, now, 'x"\r\nSet-Cookie: a=b;.html', "text/html", b"<script>alert(1)</script>")
    svg = _raw_file(database, case, now, "../../etc/logo.svg", "image/svg+xml", b"<svg onload='alert(1)'/>")
    text = _raw_file(database, case, now, "notes.txt", "text/plain", b"plain words")
    response = agent.get(f"/cases/{case}/attachments/{html}")
    assert response.headers["Content-Type"] == "application/octet-stream"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in response.headers and '"x' not in disposition.split("filename=", 1)[1][1:]
    response = agent.get(f"/cases/{case}/attachments/{svg}")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert 'filename="logo.svg"' in response.headers["Content-Disposition"]
    response = agent.get(f"/cases/{case}/attachments/{text}")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    page = agent.text(f"/cases/{case}")
    # Names are escaped on the page like any other text.
    assert "<script>" not in page.split('id="attachments"', 1)[1].split("</table>", 1)[0]


def _note(client: Client, reference: str, files: list[tuple[bytes, str, str]], body: str = "Scan of the letter") -> str:
    data = {"kind": "note", "body": body, "files": [(io.BytesIO(content), name, kind) for content, name, kind in files]}
    response = client.post(f"/cases/{reference}/notes", data, content_type="multipart/form-data")
    return f"{response.status_code}\n{response.get_data(as_text=True)}"


def test_an_agent_attaches_files_to_an_internal_note(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    case = seeded.complaints["billing"]
    agent = client_for("agent")
    result = _note(agent, case, [(PDF, "letter scan.pdf", "application/pdf"), (b"call log", "call.txt", "text/plain")])
    assert result.startswith("302")
    page = agent.text(f"/cases/{case}")
    assert "letter scan.pdf" in page and "internal note by agent" in page and "(staff)" in page
    with database.session() as session:
        rows = session.scalars(select(CustomerAttachment).order_by(CustomerAttachment.id)).all()
        assert [(row.filename, row.source, row.size) for row in rows] == [
            ("letter scan.pdf", "staff", len(PDF)),
            ("call.txt", "staff", 8),
        ]
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "attachments_uploaded")).one()
        assert entry.actor == "agent" and [item["name"] for item in entry.after["files"]] == [
            "letter scan.pdf",
            "call.txt",
        ]
        complaint = session.scalars(select(Complaint).where(Complaint.reference == case)).one()
        # Staff files are internal: the customer's status page does not count them.
        assert portal_service.status_view(session, complaint.reference).attachments == 0
    download = agent.get(f"/cases/{case}/attachments/{rows[0].id}")
    assert download.data == PDF and 'filename="letter scan.pdf"' in download.headers["Content-Disposition"]


def test_upload_errors_keep_the_note_and_save_nothing(
    app: Flask, client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest
) -> None:
    case, l2_case = seeded.complaints["billing"], seeded.complaints["big"]
    agent = client_for("agent")
    cases = [
        ([(b"<html></html>", "page.html", "text/html")], "page.html: files of type text/html are not accepted"),
        ([(b"MZ\x90\x00", "invoice.pdf", "application/pdf")], "invoice.pdf: the content is not a application/pdf file"),
        ([(b"", "empty.pdf", "application/pdf")], "empty.pdf: the file is empty"),
        ([(PDF, f"f{i}.pdf", "application/pdf") for i in range(6)], "at most 5 files"),
    ]
    for files, message in cases:
        result = _note(agent, case, files, body="Keep this text")
        assert result.startswith("422"), message
        assert (
            message in result and "Keep this text</textarea>" in result and "Please choose the files again." in result
        )
    # German for the department member (demo user language).
    result = _note(client_for("dept"), l2_case, [(b"<svg/>", "logo.svg", "image/svg+xml")])
    assert result.startswith("422") and "logo.svg: Dateien vom Typ image/svg+xml werden nicht angenommen" in result
    # A request over the size limit is cut off before it is read: a clear message, not a bare 413.
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    big = _note(agent, case, [(PDF + b"0" * 70 * 1024, "huge.pdf", "application/pdf")])
    assert big.startswith("303")
    assert "too large together" in agent.text(f"/cases/{case}")
    with database.session() as session:
        assert session.scalars(select(CustomerAttachment)).all() == []
