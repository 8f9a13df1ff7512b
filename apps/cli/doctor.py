"""`storyreel doctor`: check a project's databases and files, repair what can safely be repaired."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, echo
from storyreel.tools.errors import ProjectError, StoryreelError
from storyreel.tools.text import json_text

if TYPE_CHECKING:  # the doctor's checks load when it runs, not for storyreel --help
    from storyreel.tools.doctor import Diagnosis, Finding
    from storyreel.tools.project import Project

EXIT_HEALTHY = 0
EXIT_PROBLEMS = 1

_FIX_WORDS = {
    "remove": "--fix removes it",
    "forget path": "--fix forgets the path",
    "rerender": "--fix --rerender renders it again",
    "rebuild": "--fix rebuilds it; the conversation history is lost",
}


def _examine(root: Path) -> Diagnosis:
    from storyreel.agent.agent_db import AGENT_DB, agent_db_problem
    from storyreel.tools.doctor import Finding, examine_project

    diagnosis = examine_project(root)
    problem = agent_db_problem(root / AGENT_DB)
    if problem is not None:
        diagnosis.findings.append(
            Finding("agent_db", f"{AGENT_DB} is damaged ({problem})", path=AGENT_DB, fix="rebuild")
        )
    elif (root / AGENT_DB).is_file():
        diagnosis.facts.append(f"{AGENT_DB} is sound")
    return diagnosis


def _rerender(project: Project, findings: list[Finding], quiet: bool = False) -> list[str]:
    """Render the missing or damaged selected takes again, per backend (`quiet`: progress
    and outcome lines on stderr only, for --json)."""
    from storyreel.apps.cli.render import run_render

    done: list[str] = []
    by_backend: dict[str, list[int]] = {}
    for finding in findings:
        if finding.fix == "rerender" and finding.shot_id is not None:
            by_backend.setdefault(finding.backend or "previz", []).append(finding.shot_id)
    for backend, ids in by_backend.items():
        try:
            report = run_render(
                project,
                sorted(set(ids)),
                backend,
                force=False,
                wait=False,
                outcomes_to_stderr=quiet,
            )
        except StoryreelError as error:
            done.append(f"could not re-render shot(s) {', '.join(map(str, ids))}: {error}")
            continue
        for outcome in report.outcomes:
            done.append(f"re-rendered: {outcome.message}")
    return done


def doctor(
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Repair what can safely be repaired: remove orphan and half-written files, "
            "forget paths outside the project, rebuild a damaged agent.db (its conversation "
            "history is lost). Prints what it did.",
        ),
    ] = False,
    rerender: Annotated[
        bool,
        typer.Option(
            "--rerender",
            help="With --fix: render missing or damaged selected takes again.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was found (and done) as JSON.")
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Check the project: both databases (story.db, agent.db), every take and reference
    file against its hash, orphan and half-written files, paths outside the project.
    Exit code 0: healthy; 1: problems found (after --fix: problems that remain)."""
    root = Path(project)
    if not root.is_dir():
        raise ProjectError(f"project folder {root} does not exist")
    if rerender and not fix:
        raise StoryreelError("--rerender works with --fix: storyreel doctor --fix --rerender")
    diagnosis = _examine(root)
    done: list[str] = []
    before = diagnosis
    if fix and any(f.fix for f in diagnosis.findings):
        done = _repair(root, diagnosis, rerender, as_json)
        diagnosis = _examine(root)
    healthy = diagnosis.healthy
    if as_json:
        document = diagnosis.as_dict()
        if fix:
            document["found"] = [f.message for f in before.findings]
            document["done"] = done
        typer.echo(json_text(document, indent=2))
    else:
        _print_report(root, before, diagnosis, done, fix)
    raise typer.Exit(EXIT_HEALTHY if healthy else EXIT_PROBLEMS)


def _repair(root: Path, diagnosis: Diagnosis, rerender: bool, quiet: bool = False) -> list[str]:
    """Repair under the render lock (nothing renders while files are removed)."""
    from storyreel.agent.agent_db import AGENT_DB, set_aside_agent_db
    from storyreel.tools.doctor import examine_project, fix_files
    from storyreel.tools.project import Project
    from storyreel.tools.render_lock import RenderLock

    done: list[str] = []
    with ExitStack() as stack:
        lock = RenderLock(root)
        stack.callback(lock.close)
        stack.enter_context(lock.holding(wait=False))
        done += fix_files(root, diagnosis)
        if any(f.kind == "outside_path" for f in diagnosis.findings):
            # with every path readable, orphans can be told apart now: one more pass
            done += fix_files(root, examine_project(root))
        if any(f.kind == "agent_db" for f in diagnosis.findings):
            kept = set_aside_agent_db(root / AGENT_DB)
            done.append(
                f"rebuilt {AGENT_DB}: the damaged file is kept as {kept.name}; the conversation "
                "history of every session is lost (the story and its takes are not)"
            )
    if rerender and any(f.fix == "rerender" for f in diagnosis.findings):
        opened = Project.open(root)
        try:
            done += _rerender(opened, diagnosis.findings, quiet)
        finally:
            opened.close()
    return done


def _print_report(
    root: Path, before: Diagnosis, after: Diagnosis, done: list[str], fix: bool
) -> None:
    echo(f"Checked {root}")
    for fact in after.facts:
        echo(f"  {fact}")
    if fix and done:
        echo(f"Found {len(before.findings)} problem(s). Done:")
        for line in done:
            echo(f"  - {line}")
    if after.healthy:
        echo("The project is healthy.")
        return
    title = "Still wrong" if fix and done else "Problems"
    echo(f"{title} ({len(after.findings)}):")
    for finding in after.findings:
        how = f"  [{_FIX_WORDS[finding.fix]}]" if finding.fix and not fix else ""
        echo(f"  - {finding.message}{how}")
    fixable = [f for f in after.findings if f.fix]
    if not fix and fixable:
        more = (
            " (add --rerender to render missing takes again)"
            if any(f.fix == "rerender" for f in fixable)
            else ""
        )
        echo(f"Repair what can be repaired with: storyreel doctor --fix{more}")
    elif fix and any(f.fix == "rerender" for f in after.findings):
        echo("Render the missing takes again with: storyreel doctor --fix --rerender")
