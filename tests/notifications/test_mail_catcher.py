"""The development mail catcher keeps what it receives, and the mail page cuts links out of the text."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from notifications.mail_catcher import caught_mail, caught_mails, start_mail_catcher
from webui.views.mails import pieces


def test_kept_mails_are_read_back_newest_first(tmp_path: Path) -> None:
    folder = tmp_path / "mail-catcher"
    catcher = start_mail_catcher(folder)
    try:
        for number, day in ((1, "Sat, 05 Dec 2026 10:00:00 +0100"), (2, "Sun, 06 Dec 2026 10:00:00 +0100")):
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"], mail["Date"] = (
                "a@example.org",
                "b@example.org",
                f"n{number}",
                day,
            )
            mail.set_content(f"Über den Link https://x.example/status/{number} geht es weiter.")
            with smtplib.SMTP("127.0.0.1", catcher.port, timeout=10) as smtp:
                smtp.send_message(mail)
    finally:
        catcher.stop()
    mails = caught_mails(folder)
    assert [mail.subject for mail in mails] == ["n2", "n1"]
    assert "Über den Link" in mails[0].text
    assert caught_mail(folder, mails[1].key) == mails[1]
    assert caught_mail(folder, "no-such-key") is None
    assert caught_mails(tmp_path / "missing") == []


def test_only_web_addresses_become_links() -> None:
    assert pieces("see https://x.example/a?b=1 and <b>javascript:x</b>") == [
        ("see ", False),
        ("https://x.example/a?b=1", True),
        (" and <b>javascript:x</b>", False),
    ]
