"""Driving the chat app in tests: a project, typing, waiting for the turn worker."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from textual.pilot import Pilot
from textual.widgets import Input

from storyreel.agent.director import Director
from storyreel.apps.tui.app import StoryreelApp
from storyreel.renderer.backend import register_backend
from storyreel.renderer.previz import PrevizBackend
from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project

SIZE = (150, 46)
MARA = "Mara is a woman in her thirties wearing a red raincoat."
HARBOUR = "At the harbour at dusk: a wide shot of Mara walking along the quay, 2 seconds."
CLOSE_UP = "Close-up of Mara reading a letter, push-in, 2 seconds."


class GatedPreviz(PrevizBackend):
    """Previz that stops after each shot's first frame until `GATE` opens: a slow GPU render.

    It keeps checking its cancel token while it waits, as a real backend does
    between denoising steps.
    """

    name = "gated"
    GATE = threading.Event()

    def stream(self, request, progress, cancel) -> Iterator[np.ndarray]:  # type: ignore[no-untyped-def]
        for index, frame in enumerate(super().stream(request, progress, cancel)):
            while index == 1 and not self.GATE.wait(0.02):
                cancel.check()
            yield frame


register_backend("gated", GatedPreviz)


def new_story(folder: Path) -> Path:
    """A small project (180p, 12 fps) so previz renders take a fraction of a second."""
    project = Project.create(folder, title="Harbour")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return folder


def drive(
    folder: Path,
    script: Callable[[StoryreelApp, Pilot], Awaitable[None]],
    example: Sequence[str] = (MARA, HARBOUR),
    backend: str = "previz",
    director: Director | None = None,
    guided: bool = False,
) -> StoryreelApp:
    """Run the app headless on `folder`, play `script`, quit; fail on any app error."""

    async def main() -> StoryreelApp:
        app = StoryreelApp(
            folder,
            offline=True,
            example=example,
            backend=backend,
            director=director,
            guided=guided,
        )
        async with app.run_test(size=SIZE) as pilot:
            await opened(app, pilot)
            await script(app, pilot)
            check(app)
            await pilot.press("ctrl+q")
        return app

    return asyncio.run(main())


async def opened(app: StoryreelApp, pilot: Pilot, timeout: float = 30) -> None:
    """Wait for the first read of the story (read off the UI thread): the shot list,
    the bible and the welcome are shown then."""
    await until(app, pilot, lambda: app.story is not None, timeout=timeout)
    await pilot.pause()


def check(app: StoryreelApp) -> None:
    """Raise the app's own error, if it crashed."""
    error = getattr(app, "_exception", None)
    if error is not None:
        raise AssertionError(f"the app crashed: {error!r}") from error


async def type_line(app: StoryreelApp, pilot: Pilot, text: str) -> None:
    """Type `text` into the direction box and press Enter."""
    box = app.query_one("#direction", Input)
    box.focus()
    box.value = text
    await pilot.press("enter")


async def idle(app: StoryreelApp, pilot: Pilot, timeout: float = 60) -> None:
    """Wait until every queued turn is done (the UI stays live meanwhile)."""
    deadline = time.monotonic() + timeout
    while app.busy:
        check(app)
        if time.monotonic() > deadline:
            raise AssertionError(f"still busy after {timeout} s:\n{app.chat.text()}")
        await pilot.pause(0.05)
    await pilot.pause()


async def until(
    app: StoryreelApp, pilot: Pilot, condition: Callable[[], object], timeout: float = 60
) -> None:
    """Wait until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        check(app)
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout} s:\n{app.chat.text()}")
        await pilot.pause(0.01)


def rows(app: StoryreelApp) -> list[list[str]]:
    """The shot list as shown: one list of cell texts per row."""
    table = app.shots
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def cell(app: StoryreelApp, shot_id: int, column: str) -> str:
    """One cell of the shot list."""
    return str(app.shots.get_cell(str(shot_id), column))


def screen_text(app: StoryreelApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
