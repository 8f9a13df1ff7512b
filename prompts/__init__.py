"""storyreel prompts: prompt templates shipped as package data.

Layout (every file is data; nothing here is a string buried in code):

- `director.md`: the LLM director's system prompt, with `$placeholders`.
- `grammar/*.md`: film grammar, one file per concern, each with a worked
  example; `GRAMMAR` is the order they appear in the prompt.
- `examples/*.json`: a premise and the exact `DirectorReply` a good director
  returns for it (tests validate each and check its plan draws no
  script-supervisor note); `PROMPT_EXAMPLE` is the one shown in the prompt.

Templates are rendered with `string.Template.substitute`: a missing variable
is a `PromptError`, never a silently empty gap. A literal dollar is `$$`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template
from typing import Any

GRAMMAR: tuple[str, ...] = (
    "premise",
    "coverage",
    "dialogue",
    "pacing",
    "lenses",
    "transitions",
    "continuity",
)
"""The grammar files (`grammar/NAME.md`), in the order the prompt gives them."""

PROMPT_EXAMPLE = "lighthouse"
"""The example (`examples/NAME.json`) shown to the model in the director prompt."""


class PromptError(KeyError):
    """A prompt template names a variable that was not given (or is malformed)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "prompt error"


@dataclass(frozen=True)
class DirectorExample:
    """A worked example: a premise and the reply a good director gives to it.

    `reply` is the DirectorReply as JSON data (`{"reply": ..., "edits": [...]}`);
    `shots` the number of shots the premise asks for.
    """

    name: str
    premise: str
    shots: int
    reply: dict[str, Any]


def _files() -> Traversable:
    return resources.files(__name__)


def read(path: str) -> str:
    """The raw text of a prompt file, e.g. `read("grammar/pacing.md")`."""
    node = _files()
    for part in path.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def render(path: str, **values: object) -> str:
    """A prompt template with every `$placeholder` filled.

    Raises:
        PromptError: the template names a variable not in `values`, or has a stray `$`.
    """
    try:
        return Template(read(path)).substitute({k: str(v) for k, v in values.items()})
    except KeyError as missing:
        given = ", ".join(sorted(values)) or "none"
        raise PromptError(
            f"prompt {path} needs ${missing.args[0]}, which was not given (given: {given})"
        ) from None
    except ValueError as error:
        raise PromptError(f"prompt {path}: {error} (write a literal dollar as $$)") from None


def grammar(**values: object) -> str:
    """Every grammar section (`GRAMMAR` order), rendered with `values`, as one text."""
    return "\n\n".join(render(f"grammar/{name}.md", **values).strip() for name in GRAMMAR)


def example_names() -> list[str]:
    """The names of every worked example (`examples/NAME.json`), sorted."""
    folder = _files().joinpath("examples")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def example(name: str) -> DirectorExample:
    """One worked example, read from `examples/NAME.json`."""
    data = json.loads(read(f"examples/{name}.json"))
    return DirectorExample(
        name=name, premise=data["premise"], shots=int(data["shots"]), reply=data["reply"]
    )


def example_text(name: str = PROMPT_EXAMPLE) -> str:
    """An example as the prompt shows it: the premise, then the reply as compact JSON
    (null fields left out), one edit per line."""
    shown = example(name)
    edits = ",\n".join(
        "  " + json.dumps({k: v for k, v in edit.items() if v is not None}, ensure_ascii=False)
        for edit in shown.reply["edits"]
    )
    answer = f'{{"reply": {json.dumps(shown.reply["reply"], ensure_ascii=False)}, "edits": [\n'
    return f"Premise: {shown.premise}\nAnswer:\n{answer}{edits}\n]}}"
