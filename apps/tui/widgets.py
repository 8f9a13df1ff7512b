"""The panes of the chat app: conversation, shot list, bible, render progress, keyframe."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Label, ProgressBar, Static
from textual.widgets.data_table import ColumnKey

from storyreel.apps.tui.graphics import Protocol, picture_widget
from storyreel.apps.tui.thumbnail import still
from storyreel.tools.story import Character, Reference, StoryPlan

ROLE_LABEL = {"person": "you", "agent": "storyreel", "notice": "·", "problem": "!"}


class ChatLog(VerticalScroll):
    """The conversation: the person's messages, the agent's replies, notices, questions.

    `lines` keeps (role, text) of everything shown, in order.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines: list[tuple[str, str]] = []

    def say(self, role: str, text: str) -> None:
        """Show `text` from `role` (person, agent, notice, problem, question, help)."""
        self.lines.append((role, text))
        if not self.is_attached:  # the app is closing; the line is kept in `lines`
            return
        label = ROLE_LABEL.get(role, "")
        body = Text()
        if label and role in ("person", "agent"):
            body.append(f"{label}: ", style="bold")
        body.append(text)
        self.mount(Static(body, classes=f"line {role}"))
        self.scroll_end(animate=False)

    def text(self) -> str:
        """Everything shown, one line per message (for tests and copying)."""
        return "\n".join(text for _, text in self.lines)


class ShotTable(DataTable):
    """The shot list in film order: one row per shot, keyed by shot id.

    `show` changes only what differs from the rows shown (cells, added and removed
    rows, the order); `changes` counts the cells and rows it touched (for tests).
    """

    COLUMNS = ("#", "id", "size", "move", "dur", "lock", "takes", "verdict", "state")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: dict[str, tuple[str, ...]] = {}
        self.changes = 0

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for column in self.COLUMNS:
            self.add_column(column, key=column)

    @property
    def selected_shot(self) -> int | None:
        """The id of the highlighted shot, or None when there are no shots."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def show(self, rows: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Show `rows` ((key, cells) in film order), keeping the highlighted shot: rows
        gone are removed, new ones added, changed cells updated, and the rows sorted
        only when their order changed."""
        keep = self.selected_shot
        wanted = dict(rows)
        gone = [key for key in self._shown if key not in wanted]
        if len(gone) > max(8, len(self._shown) // 4):  # most rows gone: start again
            self.clear()
            self._shown.clear()
            gone = []
        for key in gone:
            self.remove_row(key)
            del self._shown[key]
            self.changes += 1
        for key, cells in rows:
            shown = self._shown.get(key)
            if shown is None:
                self.add_row(*cells, key=key)
                self.changes += 1
            elif shown != cells:
                for column, old, new in zip(self.COLUMNS, shown, cells, strict=True):
                    if old != new:
                        # widen a column for a longer value; never measure the whole
                        # column again to narrow it (that reads every row)
                        wider = cell_len(new) > self.columns[ColumnKey(column)].content_width
                        self.update_cell(key, column, new, update_width=wider)
                        self.changes += 1
            self._shown[key] = cells
        order = [key for key, _ in rows]
        if [row.key.value for row in self.ordered_rows] != order:
            position = {key: index for index, key in enumerate(order)}
            self.sort("id", key=lambda shot_id: position[shot_id])
            self.changes += 1
        if keep is not None and str(keep) in wanted:
            index = self.get_row_index(str(keep))
            if index != self.cursor_row:
                self.move_cursor(row=index)


class BiblePane(Static):
    """The story bible: title, characters, locations and references with their handles."""

    def show(self, plan: StoryPlan) -> None:
        text = Text()
        text.append(f"{plan.title}\n", style="bold")
        text.append(f"{plan.style.resolution} · {plan.style.fps} fps · {plan.style.aspect}\n")
        sections = [
            ("Characters", [_character_line(c) for c in plan.characters]),
            ("Locations", [f"{loc.handle} {loc.description}" for loc in plan.locations]),
            ("References", [_reference_line(r) for r in plan.references]),
        ]
        for title, items in sections:
            text.append(f"\n{title}\n", style="bold underline")
            for item in items or ["(none yet)"]:
                text.append(f"  {item}\n")
        self.update(text)


def _character_line(character: Character) -> str:
    wardrobe = f", wearing {character.wardrobe}" if character.wardrobe else ""
    return f"{character.handle} {character.description}{wardrobe}"


def _reference_line(reference: Reference) -> str:
    target = reference.entity or (f"shot {reference.shot}" if reference.shot else "not bound")
    return f"{reference.handle} {reference.kind.value}, {reference.role.value} → {target}"


class ShotProgress(Horizontal):
    """One shot's render: a label with steps and elapsed time, and a bar."""

    def __init__(self, shot_id: int) -> None:
        super().__init__(id=f"progress-{shot_id}", classes="shot-progress")
        self.shot_id = shot_id
        self.started = time.monotonic()
        self.label = Label(f"shot {shot_id}", classes="progress-label")
        self.bar = ProgressBar(total=100, show_eta=False, show_percentage=False)
        self.text = f"shot {shot_id}"

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar

    def advance(self, step: int, total: int, index: int, count: int) -> None:
        elapsed = time.monotonic() - self.started
        self.text = f"shot {self.shot_id} ({index}/{count}) {step}/{total} · {elapsed:.1f}s"
        self.label.update(self.text, layout=False)  # its width is the row's (storyreel.tcss)
        self.bar.update(total=max(1, total), progress=step)

    def finish(self, text: str) -> None:
        total = self.bar.total or 1
        self.bar.update(total=total, progress=total)
        self.text = text
        self.label.update(text, layout=False)


class RenderStatus(Vertical):
    """Per-shot progress bars while rendering; a status line otherwise."""

    def compose(self) -> ComposeResult:
        yield Label("Ready.", id="status-line")

    def status(self, text: str) -> None:
        line = self.query_one("#status-line", Label)
        if str(line.content) != text:  # progress events say the same many times
            line.update(text, layout=False)  # one line as wide as the pane (storyreel.tcss)

    def bar(self, shot_id: int) -> ShotProgress:
        found = self.query(f"#progress-{shot_id}")
        if found:
            return found.first(ShotProgress)
        row = ShotProgress(shot_id)
        self.mount(row)
        return row

    def clear_bars(self) -> None:
        self.query(ShotProgress).remove()


class Keyframe(Vertical):
    """The selected shot's keyframe (middle frame of its chosen take) and a caption.

    Drawn with Sixel or the kitty graphics protocol when the terminal speaks
    one (see graphics.py), else in half blocks.
    """

    def __init__(self, protocol: Protocol = "halfblock", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.protocol = protocol
        self.picture: Widget = picture_widget(protocol) or Static(classes="picture")
        self.caption = Label("", classes="caption")
        self._shown: tuple[Path | None, int, int] | None = None

    def compose(self) -> ComposeResult:
        yield self.picture
        yield self.caption

    def show(self, path: Path | None, caption: str) -> None:
        """Show the picture at `path` (None: none) with `caption`; an unchanged one is kept."""
        if str(self.caption.content) != caption:
            self.caption.update(caption, layout=False)  # one line as wide as the pane
        if isinstance(self.picture, Static):
            width = max(8, self.picture.size.width or 40)
            height = max(3, self.picture.size.height or 9)
            key = (path, width, height)
            if key == self._shown:
                return
            self._shown = key
            picture = still(path, width, height) if path is not None else None
            self.picture.update(picture or "")
        else:
            self.picture.image = str(path) if path is not None and path.is_file() else None  # type: ignore[attr-defined]
