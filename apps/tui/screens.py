"""Dialogs over the chat: the agent's question, a shot's takes, a file to attach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label

from storyreel.tools.story import Take


class QuestionScreen(ModalScreen[str | None]):
    """The agent's question with a button per choice (or a box to type an answer).

    Dismissed with the answer, or None (Escape: answer later by typing it).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", "Answer later")]

    def __init__(self, question: str, choices: Sequence[str]) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-title")
            if self.choices:
                with Horizontal(classes="choices"):
                    for index, choice in enumerate(self.choices):
                        yield Button(choice, id=f"choice-{index}", variant="primary")
            else:
                yield Input(placeholder="Your answer, then Enter", id="answer")
            yield Label("Esc: answer later by typing in the chat.", classes="dialog-hint")

    def on_mount(self) -> None:
        if self.choices:
            self.query_one("#choice-0", Button).focus()
        else:
            self.query_one("#answer", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        index = int((event.button.id or "choice-0").split("-")[1])
        self.dismiss(self.choices[index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_later(self) -> None:
        self.dismiss(None)


class TakesScreen(ModalScreen[tuple[str, int] | None]):
    """A shot's takes (number, renderer, seed, verdict); Enter uses one, o opens it.

    Dismissed with ("use", take), ("open", take) or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "use", "Use this take"),
        Binding("o", "open", "Play it"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, shot_id: int, takes: Sequence[Take], selected: int | None) -> None:
        super().__init__(classes="dialog")
        self.shot_id = shot_id
        self.takes = sorted(takes, key=lambda take: take.number)
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(f"Takes of shot {self.shot_id}", classes="dialog-title")
            yield DataTable(id="takes", cursor_type="row")
            yield Label("Enter: use this take · o: play it · Esc: close", classes="dialog-hint")

    def on_mount(self) -> None:
        table = self.query_one("#takes", DataTable)
        for column in ("take", "renderer", "seed", "frames", "verdict", ""):
            table.add_column(column)
        for take in self.takes:
            verdict = take.critique.verdict if take.critique else ""
            chosen = "in use" if take.number == self.selected else ""
            table.add_row(
                str(take.number),
                take.backend,
                str(take.seed),
                str(take.frames),
                verdict,
                chosen,
                key=str(take.number),
            )
        if self.selected is not None and self.takes:
            table.move_cursor(row=table.get_row_index(str(self.selected)))
        table.focus()

    def _current(self) -> int | None:
        table = self.query_one("#takes", DataTable)
        if table.row_count == 0:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value) if key.value is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_use()

    def action_use(self) -> None:
        take = self._current()
        self.dismiss(("use", take) if take is not None else None)

    def action_open(self) -> None:
        take = self._current()
        self.dismiss(("open", take) if take is not None else None)

    def action_close(self) -> None:
        self.dismiss(None)


class AttachScreen(ModalScreen[str | None]):
    """Asks for the path of a photo, clip or sound to add as a reference."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Attach a photo, video clip or sound", classes="dialog-title")
            yield Input(placeholder="/path/to/file.jpg, then Enter", id="path")
            yield Label("It becomes a reference with a handle like @image1.", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_close(self) -> None:
        self.dismiss(None)
