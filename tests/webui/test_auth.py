"""Signing in and out, throttling, session cookies, security headers, languages and error pages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from engine.services.users import accounts as user_service
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client, Seeded


def test_sign_in_lands_on_the_role_s_start_page(client_for: Callable[[str], Client], anonymous: Client) -> None:
    response = anonymous.sign_in("agent")
    assert response.status_code == 302 and response.location.endswith("/tasks/mine")
    assert Client(anonymous.app).sign_in("dept").location.endswith("/inbox/")
    assert Client(anonymous.app).sign_in("admin").location.endswith("/admin/users")
    assert Client(anonymous.app).sign_in("designer").location.endswith("/designer/")


def test_wrong_password_and_unknown_user_get_the_same_answer(anonymous: Client) -> None:
    wrong = anonymous.sign_in("agent", "nope")
    unknown = anonymous.sign_in("nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in wrong.get_data(as_text=True)
    assert "Wrong user name or password." in unknown.get_data(as_text=True)
    # What was typed stays in the form (except the password).
    assert 'value="agent"' in wrong.get_data(as_text=True)


def test_sign_in_is_throttled_after_five_failures_even_with_the_right_password(anonymous: Client) -> None:
    for _ in range(5):
        assert anonymous.sign_in("agent", "wrong").status_code == 401
    refused = anonymous.sign_in("agent", "demo")
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.get_data(as_text=True)
    # Another account is not locked by someone guessing agent's password.
    assert Client(anonymous.app).sign_in("lead").status_code == 302


def test_pages_need_sign_in_and_next_is_only_followed_to_local_paths(anonymous: Client) -> None:
    response = anonymous.get("/tasks/mine")
    assert response.status_code == 302 and "/sign-in" in response.location
    for target, landing in (
        ("https://evil.example/", "/tasks/mine"),
        ("//evil.example/", "/tasks/mine"),
        ("/kb/", "/kb/"),
    ):
        client = Client(anonymous.app)
        response = client.post(f"/sign-in?next={target}", {"username": "agent", "password": "demo"})
        assert response.location.endswith(landing), target


def test_session_cookie_is_secure_http_only_and_same_site(anonymous: Client) -> None:
    response = anonymous.sign_in("agent")
    cookies = [value for key, value in response.headers.items() if key == "Set-Cookie"]
    session_cookie = next(cookie for cookie in cookies if cookie.startswith("complaintflow_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_security_headers_forbid_inline_scripts_and_framing(client_for: Callable[[str], Client]) -> None:
    response = client_for("agent").get("/tasks/mine")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.get_data(as_text=True)


def test_state_changes_need_a_csrf_token(client_for: Callable[[str], Client], seeded: Seeded) -> None:
    client = client_for("agent")
    response = client.post(f"/task/{seeded.tasks['billing']}/claim", csrf=False)
    assert response.status_code == 400
    assert "Please try again" in response.get_data(as_text=True)
    assert client.post(f"/task/{seeded.tasks['billing']}/claim").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("agent")
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 302
    assert "/sign-in" in client.get("/tasks/mine").location


def test_a_password_change_or_lock_ends_other_sessions(
    client_for: Callable[[str], Client], database: DatabaseUnderTest, now: object
) -> None:
    client = client_for("agent2")
    assert client.get("/tasks/mine").status_code == 200
    with database.session() as session:
        user_service.update_user(
            session,
            user_service.Actor("admin", roles=frozenset({"admin"})),  # type: ignore[attr-defined]
            user_service.UserData("agent2", "Bernd Agent", None, "new-secret", "en", ("agent",), ("agent",)),
            now,
        )
    assert "/sign-in" in client.get("/tasks/mine").location


def test_language_is_chosen_per_user(client_for: Callable[[str], Client]) -> None:
    # The demo department member reads German, the agent English.
    assert "Abteilungseingang" in client_for("dept").text("/inbox/")
    agent = client_for("agent")
    assert "My tasks" in agent.text("/tasks/mine")
    assert agent.post("/profile/", {"language": "de"}).status_code == 302
    assert "Meine Aufgaben" in agent.text("/tasks/mine")


def test_error_pages_leak_nothing(client_for: Callable[[str], Client], seeded: Seeded, app: Flask) -> None:
    agent = client_for("agent")
    missing = agent.get("/task/00000000-0000-0000-0000-000000000000")
    # The "big" complaint belongs to second level: for the agent it looks exactly like a missing one.
    foreign = agent.get(f"/task/{seeded.tasks['big']}")
    assert missing.status_code == foreign.status_code == 404
    assert missing.get_data(as_text=True) == foreign.get_data(as_text=True)
    assert seeded.complaints["big"] not in foreign.get_data(as_text=True)
    forbidden = agent.get("/admin/users")
    assert forbidden.status_code == 403 and "Traceback" not in forbidden.get_data(as_text=True)
