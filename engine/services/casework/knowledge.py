"""Knowledge base: articles agents look up, suggested on the task page by category and keywords."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError, NotFound, PermissionDenied
from engine.domain.messages import msg
from engine.domain.roles import KB_EDITOR_ROLES, KB_WRITER_ROLES
from engine.services.audit import record
from engine.services.unit_of_work import commit, unit_of_work
from engine.store.knowledge import KbArticle

_WORD = re.compile(r"[\w-]{4,}", re.UNICODE)
# Words too common in complaints to say anything about the matching article.
_STOP = frozenset(
    {"this", "that", "with", "have", "from", "your", "were", "been", "would", "there", "their", "about", "which"}
    | {"when", "what", "kunde", "bitte", "nicht", "eine", "einen", "haben", "wurde", "mein", "meine"}
)


def may_edit(actor: Actor) -> bool:
    """Team leads, managers and admins publish articles in the customer FAQ and delete them."""
    return bool(actor.roles & KB_EDITOR_ROLES)


def may_write(actor: Actor) -> bool:
    """Agents, team leads, managers and admins write and edit articles."""
    return bool(actor.roles & KB_WRITER_ROLES)


@dataclass(frozen=True)
class ArticleData:
    """An article as entered in the editor; ``tags`` comma-separated."""

    title: str
    body: str
    category: str | None = None
    tags: str = ""
    public: bool = False
    language: str = "en"


def normalise_tags(text: str) -> str:
    """ ",refund,invoice," from "Refund, invoice": lower-case, unique, wrapped in commas for LIKE."""
    tags = [tag.strip().lower() for tag in text.split(",") if tag.strip()]
    return "," + ",".join(dict.fromkeys(tags)) + ("," if tags else "")


def _check(data: ArticleData) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = msg("field.required")
    elif len(data.title) > 300:
        errors["title"] = msg("field.too_long", num=300)
    if not data.body.strip():
        errors["body"] = msg("field.required")
    if data.language not in ("en", "de"):
        errors["language"] = msg("field.en_or_de")
    if len(normalise_tags(data.tags)) > 500:
        errors["tags"] = msg("article.too_many_tags")
    if errors:
        raise FormValidationError(errors)


@unit_of_work
def save_article(session: Session, actor: Actor, article_id: int | None, data: ArticleData, now: datetime) -> KbArticle:
    """Create or change an article.

    Only an editor (team lead, manager, admin) decides whether it is public; a change by anyone else takes a
    public article back out of the customer FAQ until an editor publishes it again.
    """
    if not may_write(actor):
        raise PermissionDenied(msg("denied.write_articles"))
    _check(data)
    if article_id is None:
        article = KbArticle(created_by=actor.username, created_at=now)
        session.add(article)
    else:
        found = session.get(KbArticle, article_id)
        if found is None:
            raise NotFound(msg("notfound.article", article_id=article_id))
        article = found
    article.title = data.title.strip()
    article.body = data.body
    article.category = (data.category or "").strip() or None
    article.tags = normalise_tags(data.tags)
    article.public = data.public if may_edit(actor) else False
    article.language = data.language
    article.updated_by = actor.username
    article.updated_at = now
    session.flush()
    record(session, actor, "kb_article_saved", now, after={"article": article.id, "title": article.title})
    commit(session)
    return article


@unit_of_work
def publish_article(session: Session, actor: Actor, article_id: int, public: bool, now: datetime) -> KbArticle:
    """An editor shows the article in the customer FAQ (``public``) or takes it out."""
    if not may_edit(actor):
        raise PermissionDenied(msg("denied.publish_articles"))
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(msg("notfound.article", article_id=article_id))
    before = article.public
    article.public = public
    article.updated_by = actor.username
    article.updated_at = now
    action = "kb_article_published" if public else "kb_article_unpublished"
    record(session, actor, action, now, before={"public": before}, after={"article": article.id, "public": public})
    commit(session)
    return article


@unit_of_work
def delete_article(session: Session, actor: Actor, article_id: int, now: datetime) -> None:
    """Remove an article."""
    if not may_edit(actor):
        raise PermissionDenied(msg("denied.delete_articles"))
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(msg("notfound.article", article_id=article_id))
    record(session, actor, "kb_article_deleted", now, before={"article": article.id, "title": article.title})
    session.delete(article)
    commit(session)


def get_article(session: Session, article_id: int, public_only: bool = False) -> KbArticle:
    """An article by id, or NotFound (also for a non-public one when only public ones may be read)."""
    article = session.get(KbArticle, article_id)
    if article is None or (public_only and not article.public):
        raise NotFound(msg("notfound.article", article_id=article_id))
    return article


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_articles(
    session: Session,
    q: str = "",
    category: str | None = None,
    tag: str | None = None,
    public_only: bool = False,
    limit: int = 50,
) -> Sequence[KbArticle]:
    """Articles whose title, body or tags contain every word of ``q``, newest change first."""
    query = select(KbArticle)
    for word in q.lower().split()[:8]:
        pattern = f"%{_escape(word)}%"
        query = query.where(
            or_(
                func.lower(KbArticle.title).like(pattern, escape="\\"),
                func.lower(KbArticle.body).like(pattern, escape="\\"),
                KbArticle.tags.like(pattern, escape="\\"),
            )
        )
    if category:
        query = query.where(KbArticle.category == category)
    if tag:
        query = query.where(KbArticle.tags.like(f"%,{_escape(tag.strip().lower())},%", escape="\\"))
    if public_only:
        query = query.where(KbArticle.public.is_(True))
    return session.scalars(query.order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(limit)).all()


def keywords(text: str, limit: int = 12) -> list[str]:
    """Distinct longer words of a complaint text, in order of appearance."""
    words = [word.lower() for word in _WORD.findall(text)]
    return list(dict.fromkeys(word for word in words if word not in _STOP))[:limit]


def suggestions(session: Session, category: str | None, text: str, limit: int = 5) -> list[KbArticle]:
    """Articles for a case: same category first, then by how many of the case's keywords a tag or title has."""
    words = keywords(text)
    conditions = [KbArticle.category == category] if category else []
    for word in words:
        pattern = f"%{_escape(word)}%"
        conditions.append(func.lower(KbArticle.title).like(pattern, escape="\\"))
        conditions.append(KbArticle.tags.like(f"%,{_escape(word)},%", escape="\\"))
    if not conditions:
        return []
    candidates = session.scalars(select(KbArticle).where(or_(*conditions)).limit(100)).all()

    def score(article: KbArticle) -> tuple[int, int]:
        title = article.title.lower()
        hits = sum(1 for word in words if word in title or f",{word}," in article.tags)
        return (hits + (2 if category and article.category == category else 0), article.id)

    ranked = sorted(candidates, key=score, reverse=True)
    return [article for article in ranked if score(article)[0] > 0][:limit]


def categories(session: Session) -> list[str]:
    """Categories in use."""
    return [c for c in session.scalars(select(KbArticle.category).distinct().order_by(KbArticle.category)) if c]
