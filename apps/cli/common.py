"""What every CLI command shares: the project option, opening it, applying edits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from storyreel.tools.edits import EditModel
from storyreel.tools.errors import ProjectBusyError, StoryreelError, describe_validation_error
from storyreel.tools.project import Project
from storyreel.tools.text import without_controls

HERE = Path(".")

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        envvar="STORYREEL_PROJECT",
        help="Project folder (default: the current folder; env STORYREEL_PROJECT).",
        show_default=False,
    ),
]


SessionOption = Annotated[
    str, typer.Option("--session", "-s", help="Conversation name; each is its own thread.")
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Autopilot: do not stop to ask for approval.")
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Use the built-in offline director, not an LLM.")
]
BackendOption = Annotated[
    str, typer.Option("--backend", "-b", help="Renderer for automatic renders: previz, wan, ltx...")
]
NoWaitOption = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="If another storyreel is rendering this story, do not wait for it: "
        "exit with code 3 at once, with nothing changed.",
    ),
]


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """`typer.echo` for text that may hold a story's words: escape sequences and control
    characters are removed (typed by anyone, they could rewrite the terminal)."""
    typer.echo(without_controls(message), err=err, nl=nl)


class FriendlyGroup(TyperGroup):
    """A command group that turns storyreel errors into one readable line and exit code 1."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProjectBusyError as error:  # --no-wait and another storyreel renders
            echo(f"error: {error}", err=True)
            raise typer.Exit(ProjectBusyError.EXIT_CODE) from None
        except StoryreelError as error:
            echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        except ValidationError as error:
            echo(f"error: {describe_validation_error(error)}", err=True)
            raise typer.Exit(1) from None


def new_group(help_text: str) -> typer.Typer:
    """A sub-command group with storyreel's error handling."""
    return typer.Typer(
        cls=FriendlyGroup,
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        add_completion=False,
    )


@contextmanager
def opened(project_dir: Path) -> Iterator[Project]:
    """Open the project folder for one command and close it afterwards."""
    project = Project.open(project_dir)
    try:
        yield project
    finally:
        project.close()


def apply_and_report(project_dir: Path, edits: Sequence[EditModel]) -> None:
    """Apply a batch of edits as one revision and print what changed."""
    with opened(project_dir) as project:
        batch = project.memory.apply(edits, source="cli")
    for line in batch.lines:
        echo(line)
    typer.echo(f"(revision {batch.revision.id}; undo with: storyreel undo)")


def split_list(values: list[str] | None) -> list[str] | None:
    """Accept repeated options and comma-separated values alike ("a,b" -> ["a", "b"])."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
