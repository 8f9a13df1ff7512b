"""The chat app redraws without reading the plan on its event loop, and a request is
compiled once for the same inputs (tools/request_cache.py)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot

import storyreel.tools.rendering as rendering
from storyreel.apps.tui.app import StoryreelApp
from storyreel.apps.tui.widgets import ShotTable
from storyreel.renderer.executor import RenderExecutor
from storyreel.tools.compiler import compile_request
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import (
    AddCharacter,
    AddShot,
    BindReference,
    SelectTake,
    SetStyle,
    UpdateCharacter,
    UpdateShot,
)
from storyreel.tools.memory import ContinuityMemory
from storyreel.tools.project import Project
from storyreel.tools.references import attach_file
from storyreel.tools.rendering import render_shots, takes_needing_render
from storyreel.tools.request_cache import REQUESTS, CompiledRequest, request_hashes
from tests.tui_helpers import cell, drive, idle, rows, type_line

SHOTS = 6


def small_story(folder: Path, shots: int = SHOTS) -> Path:
    """`shots` one-second shots of Mara (shot 3 continues from shot 2), all rendered."""
    project = Project.create(folder, title="Quay")
    memory = project.memory
    memory.apply(
        [
            SetStyle(resolution="180p", fps=12),
            AddCharacter(name="Mara", description="a woman in a red raincoat"),
        ]
    )
    memory.apply(
        [
            AddShot(
                action=f"Mara on the quay, moment {i}",
                size="LS",
                characters=["Mara"],
                duration_s=1,
                continues_from=2 if i == 3 else None,
            )
            for i in range(1, shots + 1)
        ]
    )
    render_shots(project, RenderExecutor())
    project.close()
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return small_story(tmp_path / "film")


# --- the chat app -----------------------------------------------------------------


class ThreadLog:
    """Records on which thread the wrapped functions run."""

    def __init__(self) -> None:
        self.on_ui: Counter[str] = Counter()
        self.off_ui: Counter[str] = Counter()
        self.cells: set[str] = set()
        """Row keys of the cells updated while recording."""
        self.recording = False

    def wrap(self, name: str, function: Callable[..., object]) -> Callable[..., object]:
        def recorded(*args: object, **kwargs: object) -> object:
            if self.recording:
                ui = threading.current_thread() is threading.main_thread()
                (self.on_ui if ui else self.off_ui)[name] += 1
                if name == "update_cell":
                    self.cells.add(str(args[1]))
            return function(*args, **kwargs)

        return recorded


@pytest.fixture
def thread_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadLog]:
    """Wraps the plan-sized reads: the whole plan, every take, compiling a request,
    deciding which shots need a render, and the shot list's rows being added."""
    log = ThreadLog()
    for name in ("plan", "takes_by_shot"):
        monkeypatch.setattr(ContinuityMemory, name, log.wrap(name, getattr(ContinuityMemory, name)))
    monkeypatch.setattr(rendering, "compile_request", log.wrap("compile", compile_request))
    for name in ("add_row", "clear", "remove_row", "update_cell"):
        monkeypatch.setattr(ShotTable, name, log.wrap(name, getattr(ShotTable, name)))
    original_takes = ContinuityMemory.takes

    def takes(self: ContinuityMemory, shot_id: int | None = None) -> object:
        return original_takes(self, shot_id)

    monkeypatch.setattr(ContinuityMemory, "takes", log.wrap("takes", takes))
    yield log


def test_a_one_shot_change_is_read_off_the_ui_thread_and_redraws_only_its_cells(
    folder: Path, thread_log: ThreadLog
) -> None:
    seen: dict[str, object] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        seen["before"] = rows(app)
        thread_log.recording = True
        changes = app.shots.changes
        await type_line(app, pilot, "make shot 4 a close-up")
        await idle(app, pilot)
        await pilot.press("down", "up")  # the keyframe of the highlighted shot is shown
        await pilot.pause()
        thread_log.recording = False
        seen["changes"] = app.shots.changes - changes
        seen["after"] = rows(app)
        seen["size"], seen["takes"] = cell(app, 4, "size"), cell(app, 4, "takes")

    drive(folder, script)
    assert seen["size"] == "CU" and seen["takes"] == "2"
    before, after = seen["before"], seen["after"]
    assert len(before) == len(after) == SHOTS  # type: ignore[arg-type]
    pairs = zip(before, after, strict=True)  # type: ignore[call-overload]
    changed = [i for i, (old, new) in enumerate(pairs) if old != new]
    assert changed == [3], (before, after)
    # the plan, the takes and the requests were read on the reader and the turn threads...
    assert thread_log.off_ui["plan"] and thread_log.off_ui["takes_by_shot"]
    assert thread_log.off_ui["compile"]
    # ...never on the UI thread, which only changed the cells that differ
    assert not ({"plan", "takes_by_shot", "compile"} & set(thread_log.on_ui)), thread_log.on_ui
    assert thread_log.on_ui["takes"] == 0  # not even one shot's takes while redrawing
    assert {"add_row", "clear", "remove_row"}.isdisjoint(thread_log.on_ui), thread_log.on_ui
    assert thread_log.cells == {"4"}, thread_log.cells  # only the changed shot's cells
    assert thread_log.on_ui["update_cell"] == seen["changes"]


def test_rows_added_removed_and_moved_show_in_film_order(folder: Path) -> None:
    from storyreel.apps.tui.screens import QuestionScreen
    from tests.tui_helpers import until

    seen: dict[str, list[str]] = {}

    def ids(app: StoryreelApp) -> list[str]:
        return [row[1] for row in rows(app)]

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await type_line(app, pilot, "Add a close-up of Mara after shot 1, 1 second.")
        await idle(app, pilot)
        seen["added"] = ids(app)
        await type_line(app, pilot, "move shot 5 to the start")
        await idle(app, pilot)
        seen["moved"] = ids(app)
        seen["numbers"] = [row[0] for row in rows(app)]
        await type_line(app, pilot, "delete shot 6")
        await until(app, pilot, lambda: isinstance(app.screen, QuestionScreen))
        await pilot.click("#choice-0")  # yes
        await idle(app, pilot)
        seen["removed"] = ids(app)

    drive(folder, script)
    assert seen["added"] == ["1", "7", "2", "3", "4", "5", "6"]
    assert seen["moved"] == ["5", "1", "7", "2", "3", "4", "6"]
    assert seen["numbers"] == ["1", "2", "3", "4", "5", "6", "7"]
    assert seen["removed"] == ["5", "1", "7", "2", "3", "4"]
    with closing(Project.open(folder)) as project:
        assert [str(s.id) for s in project.memory.plan().ordered_shots()] == seen["removed"]


# --- the request cache ------------------------------------------------------------


class CompileLog:
    """Counts compile_request calls, by shot id."""

    def __init__(self) -> None:
        self.shots: list[int] = []

    def __call__(self, plan: object, shot: object, **kwargs: object) -> object:
        self.shots.append(shot.id)  # type: ignore[attr-defined]
        return compile_request(plan, shot, **kwargs)  # type: ignore[arg-type]

    def take(self) -> list[int]:
        shots, self.shots = sorted(self.shots), []
        return shots


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> CompileLog:
    REQUESTS.clear()
    log = CompileLog()
    monkeypatch.setattr(rendering, "compile_request", log)
    return log


def dirty(project: Project) -> list[int]:
    return takes_needing_render(project, project.memory.plan().ordered_shots())


def test_the_estimate_then_the_render_compile_each_request_once(
    folder: Path, compiles: CompileLog
) -> None:
    with closing(Project.open(folder)) as project:
        assert dirty(project) == []
        assert compiles.take() == list(range(1, SHOTS + 1))
        assert dirty(project) == [] and compiles.take() == []  # the same inputs: all hits
        project.memory.apply([UpdateShot(shot_id=4, size="CU")])
        assert dirty(project) == [4]  # the estimate
        assert compiles.take() == [4]
        report = render_shots(project, RenderExecutor())  # the render that follows
        assert report.rendered == [4] and compiles.take() == []
        assert dirty(project) == [] and compiles.take() == []


def test_a_plan_change_misses_for_what_it_changes_and_hits_for_the_rest(
    folder: Path, compiles: CompileLog
) -> None:
    with closing(Project.open(folder)) as project:
        dirty(project)
        compiles.take()
        project.memory.apply([UpdateShot(shot_id=5, movement="pan left")])
        assert dirty(project) == [5] and compiles.take() == [5]
        # the bible is read by every shot: a wardrobe change misses for every shot
        project.memory.apply([UpdateCharacter(name="Mara", wardrobe="a green coat")])
        assert dirty(project) == list(range(1, SHOTS + 1))
        # shot 3 continues from shot 2, which needs a render: it is not compiled
        assert compiles.take() == [1, 2, 4, 5, 6]


def test_a_new_take_selection_misses_for_the_shot_that_continues_from_it(
    folder: Path, compiles: CompileLog
) -> None:
    with closing(Project.open(folder)) as project:
        dirty(project)
        compiles.take()
        render_shots(project, RenderExecutor(), [2], force=True)  # take 2 of shot 2, selected
        assert compiles.take() == [2]  # a new seed: a new request
        # shot 3 opens on the last frame of shot 2's selected take: compiled again (previz
        # draws the same picture whatever the seed, so its request shows the same content)
        assert dirty(project) == [] and compiles.take() == [3]
        project.memory.apply([UpdateShot(shot_id=2, size="CU")])
        render_shots(project, RenderExecutor(), [2])  # take 3: a close-up, selected
        assert compiles.take() == [2]
        assert dirty(project) == [3] and compiles.take() == [3]  # a new first frame
        assert dirty(project) == [3] and compiles.take() == []
        project.memory.apply([SelectTake(shot_id=2, take=1)])  # the long shot again
        assert dirty(project) == [2, 3]  # shot 2's take is outdated, and shot 3 follows it
        assert compiles.take() == []  # shot 2's own request does not read its selection


def test_a_changed_reference_file_misses(
    folder: Path, tmp_path: Path, compiles: CompileLog
) -> None:
    photo = tmp_path / "mara.png"
    Image.new("RGB", (64, 36), (200, 30, 30)).save(photo)
    with closing(Project.open(folder)) as project:
        reference = attach_file(project, photo, "cli")
        project.memory.apply([BindReference(handle=reference.handle, shot_id=6)])
        assert dirty(project) == [6]
        render_shots(project, RenderExecutor())
        compiles.take()
        assert dirty(project) == [] and compiles.take() == []
        stored = project.file_of(reference.path)
        Image.new("RGB", (64, 36), (30, 30, 200)).save(stored)  # the file changed in place
        assert dirty(project) == [6]
        assert compiles.take() == [6]
        assert dirty(project) == [6] and compiles.take() == []  # unchanged since: a hit


def test_cached_hashes_are_the_request_hashes(folder: Path, tmp_path: Path) -> None:
    photo = tmp_path / "quay.png"
    Image.new("RGB", (64, 36), (30, 80, 120)).save(photo)
    with closing(Project.open(folder)) as project:
        reference = attach_file(project, photo, "cli")
        project.memory.apply([BindReference(handle=reference.handle, shot_id=3)])
        run = rendering._Run(project)
        request = run.compile(project.memory.plan().find_shot(3), 7)  # type: ignore[arg-type]
        assert request.first_frame and request.references
        compiled = CompiledRequest.of(request)
        assert request_hashes(request) == (request.content_hash(), request.request_hash())
        assert (compiled.content_hash, compiled.request_hash) == request_hashes(request)


def test_a_request_reads_only_the_bible_and_its_own_shot(tmp_path: Path) -> None:
    """What the request cache keys on: other shots do not change a shot's request."""
    with closing(Project.create(tmp_path / "demo", title="Demo")) as project:
        project.memory.apply(demo_edits())
        plan = project.memory.plan()
        for shot in plan.shots:
            alone = plan.model_copy(update={"shots": [shot]})
            kwargs = {"seed": 1, "project_root": project.root, "first_frame_of": lambda _: None}
            if shot.continues_from is not None:
                kwargs["first_frame_of"] = lambda _: project.root / "story.db"
            assert compile_request(alone, shot, **kwargs) == compile_request(plan, shot, **kwargs)


def test_what_is_alive_once_the_story_is_shown_is_left_out_of_full_collections(
    folder: Path,
) -> None:
    """A full garbage collection over a big story's objects paused the screen 60-90 ms a
    turn (bench/tui_latency.py); the app freezes what it holds once the story is shown."""
    import gc

    gc.unfreeze()
    seen: dict[str, int] = {}

    async def script(app: StoryreelApp, pilot: Pilot) -> None:
        await idle(app, pilot)
        seen["frozen"] = gc.get_freeze_count()

    try:
        drive(folder, script)
    finally:
        gc.unfreeze()
    assert seen["frozen"] > 10_000  # modules, widgets and the story as first read
