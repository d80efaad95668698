"""Knowledge base: search and read articles; agents and team leads write them, team leads (managers, admins)
publish them in the customer FAQ."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engine.domain.errors import FormValidationError, NotFound
from engine.domain.roles import KB_EDITOR_ROLES, KB_WRITER_ROLES
from engine.services.casework import knowledge
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors
from webui.choices import language_options
from webui.db import db, now
from webui.markdown_render import render_markdown

bp = Blueprint("kb", __name__, url_prefix="/kb")


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=50_000)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=50)])
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=400)])
    language = SelectField(_l("Language"), choices=language_options())
    public = BooleanField(_l("Public (shown in the customer FAQ)"))


class DeleteForm(FlaskForm):
    pass


class PublishForm(FlaskForm):
    """Only the CSRF token; the button says whether to publish or unpublish."""


@bp.route("/")
@login_required
def index() -> Any:
    q = request.args.get("q", "")[:200]
    category = request.args.get("category") or None
    tag = request.args.get("tag") or None
    articles = knowledge.search_articles(db(), q, category, tag)
    return render_template(
        "kb/index.html",
        articles=articles,
        q=q,
        category=category,
        tag=tag,
        categories=knowledge.categories(db()),
        may_edit=current_user.has_role(*KB_WRITER_ROLES),
    )


@bp.route("/<int:article_id>")
@login_required
def show(article_id: int) -> Any:
    try:
        article = knowledge.get_article(db(), article_id)
    except NotFound:
        abort(404)
    return render_template(
        "kb/article.html",
        article=article,
        html=render_markdown(article.body),
        may_edit=current_user.has_role(*KB_WRITER_ROLES),
        may_publish=current_user.has_role(*KB_EDITOR_ROLES),
        delete_form=DeleteForm(),
        publish_form=PublishForm(),
    )


def _data(form: ArticleForm) -> knowledge.ArticleData:
    return knowledge.ArticleData(
        title=form.title.data or "",
        body=form.body.data or "",
        category=form.category.data or None,
        tags=form.tags.data or "",
        public=bool(form.public.data) if "public" in form else False,
        language=form.language.data or "en",
    )


def _edit(article_id: int | None) -> Any:
    article = None
    if article_id is not None:
        try:
            article = knowledge.get_article(db(), article_id)
        except NotFound:
            abort(404)
    form = ArticleForm(obj=article if request.method == "GET" else None)
    if not current_user.has_role(*KB_EDITOR_ROLES):
        # Whether an article is shown to customers is a team lead's decision (the publish button).
        del form.public
    if request.method == "GET" and article is not None:
        form.tags.data = ", ".join(article.tag_list)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = knowledge.save_article(db(), actor(), article_id, _data(form), now())
            except FormValidationError as error:
                apply_errors(form, error.errors)
            else:
                if saved.public or current_user.has_role(*KB_EDITOR_ROLES):
                    flash(_("Article saved."), "success")
                else:
                    flash(_("Article saved. It is internal until a team lead publishes it in the FAQ."), "success")
                return redirect(url_for("kb.show", article_id=saved.id))
        status = 422
    preview = render_markdown(form.body.data) if form.body.data else None
    return render_template("kb/edit.html", form=form, article=article, preview=preview), status


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*KB_WRITER_ROLES)
def new() -> Any:
    return _edit(None)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@require_roles(*KB_WRITER_ROLES)
def edit(article_id: int) -> Any:
    return _edit(article_id)


@bp.route("/<int:article_id>/publish", methods=["POST"])
@require_roles(*KB_EDITOR_ROLES)
def publish(article_id: int) -> Response:
    """Show the article in the customer FAQ (``public=1``) or take it out."""
    if not PublishForm().validate_on_submit():
        abort(400)
    public = request.form.get("public") == "1"
    try:
        knowledge.publish_article(db(), actor(), article_id, public, now())
    except NotFound:
        abort(404)
    flash(_("Published in the customer FAQ.") if public else _("Taken out of the customer FAQ."), "success")
    return redirect(url_for("kb.show", article_id=article_id))


@bp.route("/<int:article_id>/delete", methods=["POST"])
@require_roles(*KB_EDITOR_ROLES)
def delete(article_id: int) -> Response:
    if not DeleteForm().validate_on_submit():
        abort(400)
    try:
        knowledge.delete_article(db(), actor(), article_id, now())
    except NotFound:
        abort(404)
    flash(_("Article deleted."), "success")
    return redirect(url_for("kb.index"))
