"""``complaintflow regulation``: check the regulation packs and their letter templates (docs/regulation.md)."""

from __future__ import annotations

from pathlib import Path

import click

from engine.services.regulation.library import LIBRARY, check_forms, check_letters, read_packs


@click.group("regulation")
def regulation_group() -> None:
    """Regulation packs: legal deadlines and mandated letters."""


@regulation_group.command("check")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(folder: Path | None) -> None:
    """Check the packs of FOLDER (default: the shipped ones); a letter that drops a required block is refused."""
    where = folder or LIBRARY
    try:
        packs = read_packs(where)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    problems = [str(problem) for problem in check_letters(packs, where)] + check_forms(packs)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    letters = sum(len(pack.letters) for pack in packs.values())
    click.echo(
        f"{len(packs)} packs, {letters} letters in English and German: every required block is there; "
        "every classification field a pack needs is required in the process's forms"
    )
