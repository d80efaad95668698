"""Knowledge base (sanitised Markdown, search, suggestions on the task page) and the admin pages and commands."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from engine.store.models import AuditEntry
from engine.store.users import User
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded

ARTICLE = {
    "title": "Double invoice: how to issue a credit note",
    "body": "# Steps\n\n1. Check the **invoice**\n2. <script>alert(1)</script>Issue the note\n\n"
    "[evil](javascript:alert(1)) [docs](https://example.org/x) <img src=x onerror=alert(1)>",
    "category": "billing",
    "tags": "Invoice, credit note, invoice",
    "language": "en",
    "public": "y",
}


def test_articles_are_rendered_from_markdown_and_sanitised(client_for: Callable[[str], Client]) -> None:
    lead = client_for("lead")
    response = lead.post("/kb/new", ARTICLE)
    assert response.status_code == 302
    page = lead.text(response.location.replace("https://localhost", ""))
    assert "<h1>Steps</h1>" in page and "<strong>invoice</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page and "<img" not in page
    assert '<a href="https://example.org/x" rel="noopener noreferrer nofollow">docs</a>' in page
    assert page.count('class="tag"') == 2  # "invoice" once, "credit note" once


def test_search_by_text_category_and_tag(client_for: Callable[[str], Client]) -> None:
    lead = client_for("lead")
    lead.post("/kb/new", ARTICLE)
    lead.post(
        "/kb/new",
        {
            "title": "Lost parcels",
            "body": "Ask the carrier.",
            "category": "delivery",
            "tags": "parcel",
            "language": "en",
        },
    )
    agent = client_for("agent")
    assert "Lost parcels" in agent.text("/kb/?q=carrier") and "Double invoice" not in agent.text("/kb/?q=carrier")
    assert "Double invoice" in agent.text("/kb/?category=billing")
    assert "Lost parcels" not in agent.text("/kb/?tag=invoice")
    assert "No articles found." in agent.text("/kb/?q=nothing-like-this")


def test_suggestions_on_the_task_page_by_category_and_keywords(
    client_for: Callable[[str], Client], seeded: Seeded
) -> None:
    lead = client_for("lead")
    lead.post("/kb/new", ARTICLE)
    lead.post(
        "/kb/new",
        {
            "title": "Lost parcels",
            "body": "Ask the carrier.",
            "category": "delivery",
            "tags": "parcel, tracking",
            "language": "en",
        },
    )
    agent = client_for("agent")
    billing = agent.text(f"/task/{seeded.tasks['billing']}")
    suggested = billing[billing.index("Suggested articles") :]
    assert "Double invoice" in suggested and "Lost parcels" not in suggested
    delivery = agent.text(f"/task/{seeded.tasks['delivery']}")
    assert "Lost parcels" in delivery[delivery.index("Suggested articles") :]


def test_agents_write_articles_only_editors_publish_and_delete_and_invalid_input_is_kept(
    client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    agent, manager, lead = client_for("agent"), client_for("manager"), client_for("lead")
    assert client_for("dept").get("/kb/new").status_code == 403
    form = agent.text("/kb/new")
    assert 'name="title"' in form and 'name="public"' not in form
    # An agent's "public" is ignored: the article stays internal until an editor publishes it.
    written = agent.post("/kb/new", ARTICLE)
    assert written.status_code == 302
    article = written.location.rsplit("/", 1)[-1]
    page = agent.text(f"/kb/{article}")
    assert "It is internal until a team lead publishes it" in page and "/publish" not in page
    assert agent.post(f"/kb/{article}/publish", {"public": "1"}).status_code == 403
    assert "Double invoice" not in client_for("agent").text("/portal/faq?lang=en")
    published = lead.post(f"/kb/{article}/publish", {"public": "1"})
    assert published.status_code == 302 and "Published in the customer FAQ." in lead.text(published.location)
    assert "Double invoice" in client_for("agent").text("/portal/faq?lang=en")
    # An agent's later change takes it out of the FAQ again, for an editor to look at.
    assert agent.post(f"/kb/{article}/edit", {**ARTICLE, "body": "Changed."}).status_code == 302
    assert "Double invoice" not in client_for("agent").text("/portal/faq?lang=en")
    with database.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("kb_article_%")).order_by(AuditEntry.id)
        ).all()
        assert actions == ["kb_article_saved", "kb_article_published", "kb_article_saved"]
    response = manager.post("/kb/new", {**ARTICLE, "title": ""})
    assert response.status_code == 422 and "Steps" in response.get_data(as_text=True)
    assert agent.post(f"/kb/{article}/delete").status_code == 403
    assert manager.post(f"/kb/{article}/delete").status_code == 302
    assert agent.get(f"/kb/{article}").status_code == 404


def test_admin_creates_and_changes_users(client_for: Callable[[str], Client], database: DatabaseUnderTest) -> None:
    admin = client_for("admin")
    bad = admin.post("/admin/users/new", {"username": "Bad Name", "display_name": "", "password": "x"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="Bad Name"' in page
    response = admin.post(
        "/admin/users/new",
        {
            "username": "carla",
            "display_name": "Carla Billing",
            "password": "s3cret!",
            "language": "de",
            "roles": [],
            "groups": ["billing"],
            "active": "y",
        },
    )
    assert response.status_code == 302
    carla = Client(admin.app)
    assert carla.sign_in("carla", "s3cret!").location.endswith("/inbox/")
    assert "Abteilungseingang" in carla.text("/inbox/")
    admin.post(
        "/admin/users/carla",
        {"display_name": "Carla Billing", "language": "en", "roles": ["agent"], "groups": ["billing", "agent"]},
    )
    with database.session() as session:
        user = session.scalars(select(User).where(User.username == "carla")).one()
        assert (user.roles, user.group_names, user.active) == (["agent"], ["agent", "billing"], False)
    # Locked (the "May sign in" box was not ticked): the old session ends and signing in fails.
    assert "/sign-in" in carla.get("/inbox/").location
    assert Client(admin.app).sign_in("carla", "s3cret!").status_code == 401
    # An admin cannot lock themselves out.
    own = admin.post("/admin/users/admin", {"display_name": "Adam", "language": "en", "roles": [], "active": "y"})
    assert own.status_code == 422 and "cannot remove your own admin role" in own.get_data(as_text=True)


def test_admin_manages_groups(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    admin = client_for("admin")
    assert admin.post("/admin/groups", {"name": "Bad Name", "label": "x"}).status_code == 422
    assert (
        admin.post("/admin/groups", {"name": "logistics", "label": "Logistics", "is_department": "y"}).status_code
        == 302
    )
    page = admin.text("/admin/groups")
    assert re.search(r"<td>logistics</td><td>Logistics</td><td>yes</td>", page)
    # The new department is offered for hand-overs.
    assert '<option value="logistics">Logistics</option>' in client_for("lead").text(f"/task/{seeded.tasks['billing']}")
