"""`storyreel chat`: the terminal chat app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storyreel.apps.cli.common import (
    HERE,
    BackendOption,
    OfflineOption,
    ProjectOption,
    SessionOption,
    YesOption,
)
from storyreel.tools.errors import StoryreelError


def chat(
    project: ProjectOption = HERE,
    session: SessionOption = "main",
    new: Annotated[
        str | None,
        typer.Option(
            "--new",
            help="Start a new story with this title (in -p DIR, or a folder named after it).",
            show_default=False,
        ),
    ] = None,
    offline: OfflineOption = False,
    backend: BackendOption = "previz",
    yes: YesOption = False,
    guided: Annotated[
        bool,
        typer.Option(
            "--guided",
            help="Let storyreel lead: it asks short questions (who, where, what happens) and "
            'builds the film from the answers. Also: say "guide us" in any chat.',
        ),
    ] = False,
) -> None:
    """Direct a story in a terminal chat, with the shots, the bible and renders in view.

    Type what you want in plain words; F1 lists the keys, /help the commands.
    Example: storyreel chat --new "The Letter"
    A group telling a story together: storyreel chat --new "Grandma's Boat" --guided
    """
    from storyreel.apps.tui.app import StoryreelApp
    from storyreel.tools.exports import slug
    from storyreel.tools.project import DB_NAME, Project

    folder = project
    if new is not None:
        if folder == HERE:
            folder = Path(slug(new))
        if (folder / DB_NAME).exists():
            raise StoryreelError(
                f"{folder} already holds a story; open it with: storyreel chat -p {folder}"
            )
        Project.create(folder, title=new).close()
    elif not (folder / DB_NAME).exists():
        raise StoryreelError(
            f"there is no story in {folder.resolve()}; start one with: "
            'storyreel chat --new "My film" (or storyreel chat -p FOLDER)'
        )
    from storyreel.apps.tui.graphics import detect

    pictures = detect()  # before the app starts: afterwards Textual owns the terminal
    StoryreelApp(
        folder,
        session,
        offline=offline,
        backend=backend,
        autopilot=yes,
        pictures=pictures,
        guided=guided,
    ).run()
