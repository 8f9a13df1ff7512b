"""`storyreel check`: the script supervisor's notes on the whole plan."""

from __future__ import annotations

from typing import Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, apply_and_report, opened
from storyreel.tools.text import json_text


def check(
    as_json: Annotated[bool, typer.Option("--json", help="Print the notes as JSON.")] = False,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply every suggested fix as one revision.")
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Read the plan as a film: missing establishing shots, jump cuts, lines too long for
    their shot, time of day jumping inside a scene, continuity across places, crossed lines,
    reverse shots lit the same way, people in two places in one scene, and a film far from
    its target length. Most notes suggest a fix (`--fix` applies them)."""
    from storyreel.tools.supervisor import supervise

    with opened(project) as opened_project:
        notes = supervise(opened_project.memory.plan())
    if as_json:
        typer.echo(json_text([note.as_dict() for note in notes], indent=2))
    elif not notes:
        typer.echo("The script supervisor has no notes.")
    else:
        for note in notes:
            fixable = " (fix suggested)" if note.fix else ""
            typer.echo(f"- [{note.check}] {note.message}{fixable}")
        if not fix and any(note.fix for note in notes):
            typer.echo("Apply the suggested fixes with: storyreel check --fix")
    if fix:
        edits = [edit for note in notes for edit in note.fix]
        if edits:
            apply_and_report(project, edits)
        else:
            typer.echo("Nothing to fix.")
