"""Knowledge base articles: Markdown bodies (rendered and sanitised by the UI), categories, tags, public flag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class KbArticle(Base):
    """One article; public ones later form the customer FAQ."""

    __tablename__ = "kb_article"
    __table_args__ = (Index("ix_kb_article_category_public", "category", "public"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # Markdown source; never rendered without sanitising
    category: Mapped[str | None] = mapped_column(String(50))
    # Lower-case, comma-separated and wrapped in commas (",refund,invoice,") so one LIKE finds a whole tag.
    tags: Mapped[str] = mapped_column(String(500), default=",")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_by: Mapped[str] = mapped_column(String(150))
    updated_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]
