"""What the film pane shows, read off the UI thread.

The chat app never reads the plan on its event loop: it asks the story reader
(`StoryReader`, on a thread of its own) when it opens, after each plan and take
event, and at the end of each turn (which shows the verdicts and the reply).
The reader reads the plan, the takes and which shots need a render
(`takes_needing_render`, its requests cached), turns them into rows and posts
one `StoryRead`; the app then changes only the rows and the bible that differ.
Asks that arrive while a read runs are answered together by the next read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project
from storyreel.tools.rendering import takes_needing_render
from storyreel.tools.story import Keyframe, Shot, StoryPlan, Take

Row = tuple[str, tuple[str, ...]]
"""A row of the shot list: its key (the shot id) and its cells."""


@dataclass(frozen=True)
class StillShown:
    """A shot's stills in the keyframe pane: its candidates sheet (or, once one is picked,
    the picked still) and a caption; `picked` says which of the two it is."""

    path: Path
    caption: str
    picked: bool


@dataclass(frozen=True)
class StoryView:
    """The plan, its takes and the shot list's rows, as read at one moment."""

    plan: StoryPlan
    takes: Mapping[int, Sequence[Take]]
    rows: list[Row]
    bible: str
    """The bible's content as text (title, style, characters, locations, references):
    the pane is drawn again only when it differs."""
    dirty: frozenset[int] = field(default_factory=frozenset)
    stills: Mapping[int, StillShown] = field(default_factory=dict)
    """What the keyframe pane shows for a shot that has candidate stills, by shot id."""

    def selected_take(self, shot_id: int) -> Take | None:
        """The take in use for `shot_id`, if any."""
        shot = self.plan.find_shot(shot_id)
        if shot is None or shot.selected_take is None:
            return None
        takes = self.takes.get(shot_id, [])
        return next((t for t in takes if t.number == shot.selected_take), None)


def _verdict(takes: Sequence[Take], shot: Shot) -> str:
    chosen = next((t for t in takes if t.number == shot.selected_take), None)
    if chosen is None or chosen.critique is None:
        return ""
    return chosen.critique.verdict


def shot_row(shot: Shot, takes: Sequence[Take], dirty: bool) -> Row:
    """One shot's row: order, id, size, move, duration, lock, takes, verdict, state."""
    state = "changed" if dirty else ("ok" if shot.selected_take else "")
    return (
        str(shot.id),
        (
            str(shot.order),
            str(shot.id),
            shot.size.value,
            shot.movement.value,
            f"{shot.duration_s:g}s",
            "locked" if shot.locked else "",
            str(len(takes)),
            _verdict(takes, shot),
            state,
        ),
    )


def read_story(project: Project) -> StoryView:
    """Read the plan, the takes and the shots needing a render; build the rows."""
    memory = project.memory
    plan = memory.plan()
    takes = memory.takes_by_shot()
    shots = plan.ordered_shots()
    try:
        dirty = frozenset(takes_needing_render(project, shots, plan=plan, takes=takes))
    except StoryreelError:
        dirty = frozenset()
    rows = [shot_row(shot, takes.get(shot.id, []), shot.id in dirty) for shot in shots]
    bible = plan.model_dump_json(exclude={"shots"})
    try:
        stills = read_stills(project, plan)
    except StoryreelError:
        stills = {}
    return StoryView(plan, takes, rows, bible, dirty, stills)


def read_stills(project: Project, plan: StoryPlan) -> dict[int, StillShown]:
    """Each shot with candidate stills: the picked still, else its candidates sheet
    (exports/keyframes-shotN.png, as /keyframes draws it) when it was drawn after the
    shot's newest still, else that still."""
    from storyreel.tools.keyframes import sheet_path

    found: dict[int, list[Keyframe]] = {}
    for keyframe in project.memory.keyframes():
        found.setdefault(keyframe.shot_id, []).append(keyframe)
    shown: dict[int, StillShown] = {}
    for shot in plan.ordered_shots():
        own = found.get(shot.id)
        if not own:
            continue
        numbers = ", ".join(str(k.number) for k in own)
        picked = next((k for k in own if k.number == shot.keyframe), None)
        if picked is not None:
            shown[shot.id] = StillShown(
                project.file_of(picked.path),
                f"shot {shot.id} · still {picked.number} picked (of {numbers})",
                True,
            )
            continue
        sheet, newest = sheet_path(project, [shot.id]), project.file_of(own[-1].path)
        path = sheet if _as_new(sheet, newest) else newest  # not a sheet of older stills
        shown[shot.id] = StillShown(
            path,
            f"shot {shot.id} · stills {numbers} · pick one",
            False,
        )
    return shown


def _as_new(sheet: Path, still: Path) -> bool:
    """Whether `sheet` exists and was drawn after `still` (it can show it)."""
    try:
        return sheet.stat().st_mtime >= still.stat().st_mtime
    except OSError:
        return False


class StoryRead(Message):
    """The story reader read the story: `view`, answering every ask up to `asked`;
    `problem` says why it could not (then `view` is None)."""

    def __init__(self, view: StoryView | None, asked: int, problem: str | None = None) -> None:
        super().__init__()
        self.view = view
        self.asked = asked
        self.problem = problem


class StoryReader:
    """Reads the story on its own thread whenever asked; one read answers every ask
    made before it started.

    Args:
        read: reads the story (called on the reader's thread).
        deliver: gets each `StoryRead` (called on the reader's thread; post it).
    """

    def __init__(
        self, read: Callable[[], StoryView], deliver: Callable[[StoryRead], object]
    ) -> None:
        self._read = read
        self._deliver = deliver
        self._changed = threading.Condition()
        self.asked = 0
        self._closed = False

    def ask(self) -> int:
        """Ask for a read; returns the ask's number (a `StoryRead` with `asked` at least
        this number answers it)."""
        with self._changed:
            self.asked += 1
            self._changed.notify()
            return self.asked

    def close(self) -> None:
        """Stop after the read in progress (if any); no more reads start."""
        with self._changed:
            self._closed = True
            self._changed.notify()

    def run(self) -> None:
        """The reader's thread: read whenever asked, until closed."""
        answered = 0
        while True:
            with self._changed:
                while self.asked == answered and not self._closed:
                    self._changed.wait()
                if self._closed:
                    return
                asked = self.asked
            try:
                message = StoryRead(self._read(), asked)
            except StoryreelError as error:
                text = str(error)
                message = StoryRead(None, asked, text[:1].upper() + text[1:] + ".")
            except Exception as error:  # a bug must not kill the reader: say it, keep going
                message = StoryRead(
                    None,
                    asked,
                    f"I could not read the story to show it ({type(error).__name__}: {error}).",
                )
            answered = asked
            with self._changed:
                if self._closed:
                    return
            self._deliver(message)
