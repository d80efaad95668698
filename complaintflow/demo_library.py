"""Reply templates and knowledge-base articles (with public FAQ entries) in English and German for the demo.

Loaded by ``complaintflow demo-data`` from examples/demo_library.json through the same services the admin and
knowledge-base pages use. A template or article is identified by name or title and language: running the
command again adds only what is missing.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN, ROLE_TEAM_LEAD
from engine.services.casework import customer_contact, knowledge
from engine.store.casework import ReplyTemplate
from engine.store.knowledge import KbArticle

LIBRARY_FILE = Path(__file__).resolve().parents[1] / "examples" / "demo_library.json"
# The demo team lead writes them, as on the knowledge-base and template pages.
AUTHOR = Actor("lead", roles=frozenset({ROLE_TEAM_LEAD, ROLE_ADMIN}))


def load_library(session: Session, now: datetime, path: Path = LIBRARY_FILE) -> tuple[int, int]:
    """Add the missing templates and articles; returns how many of each were added."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    templates = articles = 0
    for entry in data.get("templates", []):
        known = select(ReplyTemplate.id).where(
            ReplyTemplate.name == entry["name"], ReplyTemplate.language == entry["language"]
        )
        if session.scalar(known) is None:
            customer_contact.save_template(session, AUTHOR, None, entry, now)
            templates += 1
    for entry in data.get("articles", []):
        known = select(KbArticle.id).where(KbArticle.title == entry["title"], KbArticle.language == entry["language"])
        if session.scalar(known) is None:
            article = knowledge.ArticleData(
                title=entry["title"],
                body=entry["body"],
                category=entry.get("category"),
                tags=entry.get("tags", ""),
                public=bool(entry.get("public")),
                language=entry["language"],
            )
            knowledge.save_article(session, AUTHOR, None, article, now)
            articles += 1
    return templates, articles
