"""The LLM director: any OpenAI-compatible chat endpoint, with structured outputs.

Configured by environment variables (all optional):

- `OPENAI_BASE_URL`: the endpoint, e.g. a local vLLM, Ollama (http://localhost:11434/v1),
  llama.cpp or LM Studio server. Default: OpenAI's own API.
- `OPENAI_API_KEY`: the key; local servers usually accept any value.
- `STORYREEL_MODEL`: the model name (default `gpt-4o-mini`).
- `STORYREEL_LLM_TIMEOUT`: seconds one turn may wait for the model, every retry and
  repair included (default 60).
- `STORYREEL_LLM_TEMPERATURE` (default 0.2), `STORYREEL_LLM_MAX_TOKENS` (default 4096).
- `STORYREEL_LLM_FORMAT`: force `json_schema`, `json_object` or `text` (default: try
  json_schema, fall back when the server refuses it).

A turn: the model's answer must validate as a `DirectorReply` (one repair
request with the validation error if not), and its plan edits must apply to
the current plan (checked on a copy; one repair request with the error if
not). A valid batch is then read by the script supervisor
(`storyreel.tools.supervisor.notes_on_change`, only what the batch changed);
its notes go back to the model once so it may fix its batch, and whatever it
answers (if valid; else the first batch) is the turn's reply. References it
names must already be in the project (attached files are). When the model
cannot be reached or understood, `direct` raises `LLMTrouble` (the plan is
untouched; the message names the endpoint and quotes the server); when its
edits still cannot apply, `EditsRefused`.
The session memo keeps the conversation (what was done, not what was
claimed) and what the endpoint was seen to refuse.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import PurePosixPath
from typing import Any

from pydantic import ValidationError

from storyreel.agent.director import DirectorReply
from storyreel.agent.llm_client import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    OFFLINE_HINT,
    Adaptations,
    Answer,
    ChatEndpoint,
    LLMSettings,
    LLMTrouble,
)
from storyreel.agent.llm_schema import director_schema, drop_nulls
from storyreel.prompts import example_text, grammar, render
from storyreel.renderer.pace import LINE_PAUSE_S, WORDS_PER_SECOND
from storyreel.tools.edits import (
    AddReference,
    AddShot,
    EditContext,
    EditModel,
    ReferenceFromTake,
    apply_edits,
    is_action,
    resolve_action_refs,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import Shot, StoryPlan, length_words
from storyreel.tools.supervisor import Note, notes_on_change
from storyreel.tools.vocabulary import (
    Angle,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    accepted_values,
)

__all__ = [
    "DEFAULT_MODEL",
    "EditsRefused",
    "LLMDirector",
    "LLMSettings",
    "LLMTrouble",
    "compact_plan",
    "parse_reply",
    "trim_history",
]

HISTORY_BUDGET_CHARS = 24_000
REPLY_LIMIT_CHARS = 1_500
ECHO_LIMIT_CHARS = 8_000
ECHO_FOLLOW_UP_TOKENS = 300
"""What a repair's own words (the error or the notes) may take beside the echoed answer."""
NOTES_LIMIT = 8
"""The most script-supervisor notes sent back to the model in one turn."""
CHECK_ID_BASE = 10**9
"""Ids given to new shots when a batch is tried on a copy of the plan (never real ids)."""
NOTHING_CHANGED = "Nothing in the plan changed."
EXAMPLE_LEFT_OUT = "(Left out to fit this model's context: follow the film grammar above.)"


class EditsRefused(StoryreelError):
    """The model's edits could not apply to the plan, even after one repair; nothing changed."""

    unavailable = False


def load_prompt(name: str, **values: object) -> str:
    """A prompt template from storyreel.prompts, with every $placeholder filled.

    Raises:
        storyreel.prompts.PromptError (a KeyError): a placeholder with no value.
    """
    return render(name, **values)


def compact_plan(plan: StoryPlan) -> str:
    """The plan in a few lines per entity, for the model's context."""
    lines = [f"Title: {plan.title}. Style: {plan.style.aspect}, {plan.style.fps} fps."]
    target = plan.style.target_length_s
    if target is not None:
        running = sum(shot.duration_s for shot in plan.shots)
        lines.append(
            f"Target length: {target:g} s (about {length_words(target)}); the shots now run "
            f"{running:g} s."
        )
    if plan.style.look:
        lines.append(f"Look: {plan.style.look}")
    for c in plan.characters:
        wardrobe = f"; wardrobe: {c.wardrobe}" if c.wardrobe else ""
        lines.append(f"Character {c.handle} ({c.name}): {c.description}{wardrobe}")
    for loc in plan.locations:
        light = f"{loc.time_of_day.value}, key light {loc.key_light.side.value}"
        lines.append(f"Location {loc.handle} ({loc.name}): {loc.description} [{light}]")
    for ref in plan.references:
        owner = ref.entity or (f"shot {ref.shot}" if ref.shot else "unbound")
        length = f", {ref.duration_s:.2f} s long" if ref.duration_s else ""
        lines.append(f"Reference {ref.handle}: {ref.kind.value}, {ref.role.value}, {owner}{length}")
    for s in plan.ordered_shots():
        extras = [f"{s.lens_mm}mm", f"{s.duration_s:g}s"]
        if s.scene:
            extras.append(f"scene {s.scene!r}")
        if s.characters:
            extras.append("with " + ", ".join(s.characters))
        if s.location:
            extras.append("at " + s.location)
        extras += _shot_grammar(s)
        if s.continues_from:
            extras.append(f"continues from {s.continues_from}")
        if s.dialogue:
            speaker = f"{s.dialogue_speaker} " if s.dialogue_speaker else ""
            extras.append(f'{speaker}says "{s.dialogue}"')
        if s.locked:
            extras.append("LOCKED")
        head = f"Shot {s.id} (#{s.order}): {s.size.value} {s.angle.value} {s.movement.value}"
        lines.append(f"{head}, {', '.join(extras)}: {s.action}")
    if not plan.shots:
        lines.append("No shots yet.")
    return "\n".join(lines)


def _shot_grammar(shot: Shot) -> list[str]:
    """What a shot sets beyond its size and move that the film grammar relies on (reverses,
    the 180-degree line, time and transitions), for `compact_plan`; only what is set."""
    extras = []
    if shot.ots_over:
        extras.append(f"over {shot.ots_over}'s shoulder")
    if shot.key_light_side:
        extras.append(f"key light {shot.key_light_side.value}")
    if shot.time_of_day:
        extras.append(f"at {shot.time_of_day.value.replace('_', ' ')}")
    marks = [
        " ".join(
            part
            for part in (
                mark.character,
                mark.position.value if mark.position else "",
                f"facing {mark.facing.value}" if mark.facing else "",
            )
            if part
        )
        for mark in shot.staging
    ]
    if marks:
        extras.append(f"staged ({'; '.join(marks)})")
    if shot.transition.value != "cut":
        extras.append(f"transition {shot.transition.value}")
    return extras


def trim_history(history: list[dict[str, str]], budget: int = HISTORY_BUDGET_CHARS) -> list[dict]:
    """The most recent messages whose text fits in `budget` characters (oldest dropped first),
    never starting with an assistant message (its question would be gone)."""
    kept: list[dict[str, str]] = []
    used = 0
    for message in reversed(history):
        used += len(message["content"])
        if used > budget:
            break
        kept.append(message)
    trimmed = list(reversed(kept))
    while trimmed and trimmed[0].get("role") == "assistant":
        trimmed.pop(0)
    return trimmed


class _AnyTake(Collection[int]):
    """Every take (or still) number: the director cannot see takes or stills, the apply node
    checks them for real."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(())

    def __len__(self) -> int:
        return 0


class LLMDirector:
    """Directs with a language model behind an OpenAI-compatible API."""

    name = "llm"

    def __init__(
        self,
        settings: LLMSettings,
        backends: list[str] | None = None,
        client: Any | None = None,
    ) -> None:
        self.settings = settings
        self.backends = backends or ["previz"]
        self.endpoint = ChatEndpoint(settings, client)

    def system_prompt(self, plan: StoryPlan, example: bool = True) -> str:
        """The instructions and the plan, for the first message of every request; without
        the worked example when `example` is False (a small context, see llm_context)."""
        return load_prompt(
            "director.md",
            sizes=accepted_values(ShotSize),
            angles=accepted_values(Angle),
            movements=accepted_values(Movement),
            times=accepted_values(TimeOfDay),
            sides=accepted_values(LightSide),
            backends=", ".join(self.backends),
            grammar=grammar(
                words_per_second=f"{WORDS_PER_SECOND:g}", line_pause=f"{LINE_PAUSE_S:g}"
            ),
            example=example_text() if example else EXAMPLE_LEFT_OUT,
            plan=compact_plan(plan),
        )

    def direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Ask the model for a DirectorReply whose edits apply to `plan`.

        Raises:
            LLMTrouble: the model could not be reached or understood (nothing changed).
            EditsRefused: its edits could not apply even after one repair (nothing changed).
        """
        deadline = time.monotonic() + self.settings.timeout_s
        history: list[dict[str, str]] = memo.setdefault("history", [])
        adapt = self._adaptations(memo)
        from storyreel.agent.llm_context import (  # the budget
            context_tokens,
            remember_context,
            request_messages,
        )

        adapt.context_tokens = assumed = context_tokens(self, memo)

        def build(response_format: str) -> list[dict[str, str]]:
            # smaller once the server said the request overflowed the model's context, or
            # counted more tokens than estimated (budget_context is in estimated tokens)
            context = adapt.budget_context()
            return request_messages(self, text, plan, history, memo, response_format, context)

        try:
            reply = self._converse(build, plan, deadline, adapt)
        except StoryreelError as error:
            self._remember(memo, history, text, f"(Nothing changed: {error})")
            raise
        finally:
            memo["endpoint"] = {"where": self._key(), **adapt.as_dict()}
            if adapt.context_tokens is not None and adapt.context_tokens != assumed:
                remember_context(self, memo, adapt.context_tokens)
        self._remember(memo, history, text, reply.model_dump_json(exclude_none=True))
        return reply

    # --- one turn ---------------------------------------------------------------------

    def _converse(
        self,
        build: Callable[[str], list[dict[str, str]]],
        plan: StoryPlan,
        deadline: float,
        adapt: Adaptations,
    ) -> DirectorReply:
        """Ask, validate, check against the plan (at most one repair of each kind), then
        send the script supervisor's notes on the batch back once (see `_revise`).

        `build(response_format)` makes the request's messages within the context budget;
        when the server refuses a format mid-turn they are built again for the next one
        (JSON mode carries the schema as a message, so the plan gets less room)."""
        reply, raw = self._ask_valid(build(adapt.response_format), plan, deadline, adapt, build)
        notes = self.supervisor_notes(reply, plan) if raw is not None else []
        if not notes:
            return _honest(reply)
        messages = build(adapt.response_format)
        revised = self._revise(messages, raw or "", notes, plan, deadline, adapt)
        return _honest(revised or reply)

    def _ask_valid(
        self,
        messages: list[dict[str, str]],
        plan: StoryPlan,
        deadline: float,
        adapt: Adaptations,
        build: Callable[[str], list[dict[str, str]]] | None = None,
        repairs: bool = True,
    ) -> tuple[DirectorReply, str | None]:
        """A reply that validates and applies to `plan`, and the model's text for it (None
        when the model declined). With `repairs`, one repair of each kind is asked for.
        `build` rebuilds the first request's messages if the server refuses its format."""
        schema = director_schema()
        repaired_schema = repaired_edits = not repairs
        refused: str | None = None
        echo = echo_limit(adapt.context_tokens)
        while True:
            try:
                answer = self.endpoint.ask(messages, schema, deadline, adapt, rebuild=build)
                build = None  # only the first request is rebuilt; repairs extend its messages
            except LLMTrouble:
                if refused is not None:  # the repair could not be asked: say what was wrong
                    raise EditsRefused(refused) from None
                raise
            if answer.refusal:
                declined = DirectorReply(
                    reply=f"The language model declined: {_clip(answer.refusal, 500)} "
                    f"{NOTHING_CHANGED}",
                    edits=[],
                )
                return declined, None
            raw = answer.content
            try:
                reply = parse_reply(raw)
            except (ValidationError, ValueError) as error:
                problem = _short_errors(error)
                if repaired_schema:
                    if refused is not None:
                        raise EditsRefused(refused) from None
                    raise self._not_understood(problem, answer) from None
                repaired_schema = True
                messages = [
                    *answer.messages,
                    {"role": "assistant", "content": _clip(raw, echo)},
                    {
                        "role": "user",
                        "content": "That reply did not match the required JSON schema: "
                        f"{problem}. Answer again with one valid JSON object.",
                    },
                ]
                continue
            problem = self.check_batch(reply, plan)
            if problem is None:
                return reply, raw
            refused = f"I could not make that change: {problem}. Nothing was changed."
            if repaired_edits:
                raise EditsRefused(refused)
            repaired_edits = True
            messages = [
                *answer.messages,
                {"role": "assistant", "content": _clip(raw, echo)},
                {
                    "role": "user",
                    "content": f"Those edits cannot be applied to the plan: {problem}. Nothing "
                    "has been changed. Answer again with the whole reply and the edits fixed "
                    "(or no edits and an `ask` if you need to know something).",
                },
            ]

    def check_batch(self, reply: DirectorReply, plan: StoryPlan) -> str | None:
        """Why the reply's plan edits cannot apply to `plan` (on a copy), or None when they can.

        References must already be in the project (attached files are registered
        before the director reads the message); a path elsewhere is refused.
        """
        edits: list[EditModel] = [e for e in reply.edits if not is_action(e)]
        known = {ref.sha256: ref for ref in plan.references}
        for number, edit in enumerate(edits, start=1):
            if isinstance(edit, AddReference):
                problem = _foreign_reference(edit, known)
                if problem:
                    return f"edit {number} (add_reference): {problem}"
        actions = [e for e in reply.edits if is_action(e)]
        for action in actions:
            if isinstance(action, ReferenceFromTake) and isinstance(action.shot_id, str):
                return (
                    f"reference_from_take names {action.shot_id!r}, a shot added in this same "
                    "batch: a new shot has no take yet, so it has no frame to use. Leave "
                    "reference_from_take out now (render the shot if the person wants to see "
                    "it); next turn, once it has a take, ask for its frame by the shot's id"
                )
        try:
            refs = _tried(plan, edits)[1] if edits else {}
            resolve_action_refs(actions, refs, plan)
        except (StoryreelError, ValueError) as error:
            return _first_line(str(error))
        return None

    def supervisor_notes(self, reply: DirectorReply, plan: StoryPlan) -> list[str]:
        """The script supervisor's notes on what the reply's (valid) batch changed, as lines
        for the model; new shots are named by their `ref`, else `newN` (the Nth add_shot)."""
        edits: list[EditModel] = [e for e in reply.edits if not is_action(e)]
        if not edits:
            return []
        try:
            after, _refs = _tried(plan, edits)
        except (StoryreelError, ValueError):
            return []
        added = [e for e in edits if isinstance(e, AddShot)]
        labels = {str(CHECK_ID_BASE + n): edit.ref or f"new{n + 1}" for n, edit in enumerate(added)}
        return [_note_line(note, labels) for note in notes_on_change(plan, after)][:NOTES_LIMIT]

    def _revise(
        self,
        messages: list[dict[str, str]],
        raw: str,
        notes: list[str],
        plan: StoryPlan,
        deadline: float,
        adapt: Adaptations,
    ) -> DirectorReply | None:
        """Send the supervisor's notes back once; the revised reply if it validates and
        applies (no further repairs), else None (the first batch stands)."""
        listed = "\n".join(f"- {line}" for line in notes)
        messages = [
            *messages,
            {"role": "assistant", "content": _clip(raw, echo_limit(adapt.context_tokens))},
            {
                "role": "user",
                "content": "Before anything is changed, the script supervisor read the film "
                f"with your edits and noted:\n{listed}\n(New shots are named by their ref, or "
                "newN for the Nth add_shot of your edits.) Nothing has been changed yet. Answer "
                "again with the whole reply and all the edits, fixed where the notes are right "
                "(send the same edits if a note is wrong for this story).",
            },
        ]
        try:
            revised, revised_raw = self._ask_valid(messages, plan, deadline, adapt, repairs=False)
        except StoryreelError:
            return None
        return revised if revised_raw is not None else None

    # --- helpers ----------------------------------------------------------------------

    def _not_understood(self, problem: str, answer: Answer) -> LLMTrouble:
        limit = answer.max_tokens or self.settings.max_tokens
        cut = ""
        if answer.finish_reason == "length" and limit < self.settings.max_tokens:
            cut = (
                f" It was cut off at {limit} tokens, all the room the model's context left "
                "after the request; a model with a larger context (STORYREEL_LLM_CONTEXT) or a "
                "fresh conversation (--session NEW) leaves more."
            )
        elif answer.finish_reason == "length":
            cut = f" It was cut off at {limit} tokens; raise STORYREEL_LLM_MAX_TOKENS."
        return LLMTrouble(
            f"I could not turn that into a change: the language model at {self.endpoint.where} "
            f"answered twice with JSON that does not fit the schema ({_clip(problem, 300)}).{cut} "
            f"The plan is unchanged; try saying it another way. {OFFLINE_HINT}"
        )

    def _key(self) -> str:
        return f"{self.endpoint.where} {self.settings.model}"

    def _adaptations(self, memo: dict[str, Any]) -> Adaptations:
        seen = memo.get("endpoint")
        if isinstance(seen, dict) and seen.get("where") == self._key():
            return Adaptations.from_dict(seen)
        return Adaptations()

    @staticmethod
    def _remember(
        memo: dict[str, Any], history: list[dict[str, str]], text: str, outcome: str
    ) -> None:
        history.append({"role": "user", "content": text})
        history.append({"role": "assistant", "content": outcome})
        memo["history"] = trim_history(history)


def echo_limit(context: int | None) -> int:
    """The most characters of a wrong answer sent back in a repair: `ECHO_LIMIT_CHARS`, or
    less in a small context, so the repair fits what the budget keeps back for it."""
    if context is None:
        return ECHO_LIMIT_CHARS
    from storyreel.agent.llm_context import CHARS_PER_TOKEN, Budget

    kept = Budget.for_context(context, DEFAULT_MAX_TOKENS).repair - ECHO_FOLLOW_UP_TOKENS
    return max(1_000, min(ECHO_LIMIT_CHARS, kept * CHARS_PER_TOKEN))


def parse_reply(raw: str) -> DirectorReply:
    """A DirectorReply from the model's text (fences and prose around the object forgiven).

    Raises:
        ValueError: not JSON; pydantic.ValidationError: JSON that does not fit.
    """
    text = _strip_fences(raw)
    # strict=False: a raw newline or tab inside a string is read as itself (SmolLM2 under
    # llama-cpp-python's JSON grammar writes them; strict JSON refuses the whole answer)
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("the answer is not a JSON object") from None
        data = json.loads(text[start : end + 1], strict=False)
    return DirectorReply.model_validate(drop_nulls(data, DirectorReply))


def _honest(reply: DirectorReply) -> DirectorReply:
    """The reply, short enough to show, saying so when it changes nothing."""
    said = _clip(reply.reply.strip(), REPLY_LIMIT_CHARS)
    if not reply.edits and NOTHING_CHANGED not in said:
        said = f"{said} {NOTHING_CHANGED}".strip()
    return DirectorReply(reply=said, edits=reply.edits)


def _tried(plan: StoryPlan, edits: list[EditModel]) -> tuple[StoryPlan, dict[str, int]]:
    """The plan after `edits` (on a copy), and the ids the batch's shot refs stood for; new
    shots get ids from `CHECK_ID_BASE` on.

    Raises:
        StoryreelError, ValueError: an edit cannot apply.
    """
    counter = iter(range(CHECK_ID_BASE, CHECK_ID_BASE + 10_000))
    context = EditContext(
        lambda: next(counter), lambda _id: _AnyTake(), keyframe_numbers=lambda _id: _AnyTake()
    )
    after, _lines = apply_edits(plan, edits, context)
    return after, dict(context.refs)


def _note_line(note: Note, labels: dict[str, str]) -> str:
    """A supervisor note for the model: its check and message, new shots' ids relabelled."""
    message = note.message
    for number, label in labels.items():
        message = message.replace(number, label)
    return f"[{note.check}] {message}"


def _foreign_reference(edit: AddReference, known: dict[str, Any]) -> str | None:
    """Why the file an add_reference names is not one of this project's, or None."""
    ref = edit.reference
    path = PurePosixPath(ref.path.replace("\\", "/"))
    inside = (
        not path.is_absolute()
        and ".." not in path.parts
        and path.parts[:2]
        == (
            "media",
            "refs",
        )
    )
    owner = known.get(ref.sha256)
    if inside and owner is not None:
        return None
    handles = ", ".join(r.handle for r in known.values()) or "none yet"
    return (
        f"{ref.path} is not a file of this project or attached to this message; I only use "
        f"files the person attached (storyreel say ... --attach FILE) or references already "
        f"in the project ({handles}); use bind_reference with one of those handles"
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _strip_fences(raw: str) -> str:
    """Some local models wrap JSON in ``` fences; take what is inside."""
    text = raw.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text.split("\n", 1)[1] if "\n" in text else text
    return text


def _short_errors(error: ValidationError | ValueError) -> str:
    if not isinstance(error, ValidationError):
        return str(error)
    items = [
        f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()[:8]
    ]
    return json.dumps(items)
