"""The LLM director's context budget: every request fits the model's context window.

A request is the system prompt (instructions and the plan), the recent
conversation and the new message, plus the response schema when it travels
as a message (JSON mode). Without a budget it grows with the plan (about 43
tokens a shot) until a local model with a small context fails every turn.
`request_messages` builds the messages within the budget:

- **The context.** `STORYREEL_LLM_CONTEXT` (tokens) when set; otherwise what the
  server's `GET /v1/models` says for the model (a `context_length`,
  `max_model_len`, `max_context_length`, `context_window` or `n_ctx` field, which
  some servers return; remembered in the session memo); otherwise 32k. A server
  that refuses a request as longer than the model's context and says that
  context (llama-cpp-python's server lists none) gets the request again built
  for it, and the session remembers it (`remember_context`).
- **What is kept back.** The answer (`STORYREEL_LLM_MAX_TOKENS`, at most a quarter
  of the context), one repair round (the echoed answer and the error, at most an
  eighth) and a 5 % margin for the estimate.
- **Tokens are estimated** as characters / 4 (`estimate_tokens`): no tokenizer is
  downloaded or loaded for this. The margin covers the estimate's error on prose;
  JSON (the schema) tokenizes a little denser.
- **The plan** is compacted to what is left after the instructions, the message
  and the history (`fit_plan`): the shots named by number in the message (or the
  last few), with their neighbours, in full; the rest one line each; when even
  that is too long, one line per scene (`storyreel.tools.supervisor.scenes`); and
  when the scene lines are too long, the scenes farthest from the shots in focus
  are left out with a count. The bible (characters, locations, references) is
  always there.
- **The history** is trimmed by tokens from the oldest whole exchange (a person's
  message and the answers after it); it never starts with an assistant turn.
- **The schema** counts when it is a message (JSON mode and plain text); with
  ``json_schema`` it is the response format, which servers compile into a grammar.
  As a message it is the whole JSON schema (about 8,500 tokens) only when that
  takes at most half of what the request may use (`schema_is_compact`); in a
  smaller context it is a terse listing of the edits (about 900 tokens).
- **The worked example** (about 1,000 tokens) is left out when the instructions
  would leave less than a quarter of the request for the plan, the history and
  the message (an 8k context in JSON mode): the film grammar stays.
- **The answer** gets what the request leaves, up to `STORYREEL_LLM_MAX_TOKENS`:
  the endpoint caps ``max_tokens`` so the request and the answer fit the context.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from storyreel.tools.errors import StoryreelError
from storyreel.tools.story import Shot, StoryPlan

DEFAULT_CONTEXT_TOKENS = 32_768
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
"""Tokens a chat template spends around each message (role markers)."""
HISTORY_CAP_TOKENS = 6_000
"""The most history a request carries, however large the context."""
HISTORY_SHARE = 0.3
"""The share of what is left after the instructions and the message that history may use."""
MESSAGE_SHARE = 0.4
"""The share of what the instructions leave that the person's message may use (longer is cut)."""
LAST_SHOTS = 5
"""Shots shown in full at the end of the film when the message names none."""
NEIGHBOURS = 1
"""Shots either side of a shot in focus that are shown in full too."""
CONTEXT_FIELDS = (
    "context_length",
    "max_model_len",
    "max_context_length",
    "context_window",
    "n_ctx",
)
"""Fields of a /v1/models entry (or of its `meta`) that give the model's context, in tokens."""
MODELS_TIMEOUT_S = 2.0
FULL_SCHEMA_SHARE = 0.5
"""In JSON mode the whole schema is sent when it takes at most this share of the request."""
ROOM_SHARE = 0.25
"""The share of the request the instructions must leave for the plan, the history and the
message; when they do not, the worked example is left out."""
PARTIAL_NOTE = (
    "(The plan is shown in part to fit the model's context: shots near the ones being "
    "talked about are in full, the others shorter. Shot ids are real.)"
)
CUT_NOTE = " [... the message was cut here to fit the model's context]"


class _Director(Protocol):
    """What `request_messages` needs of the LLM director."""

    settings: Any
    endpoint: Any

    def system_prompt(self, plan: StoryPlan, example: bool = True) -> str: ...


def estimate_tokens(text: str) -> int:
    """Tokens in `text`, estimated as characters / 4 (rounded up); no tokenizer is used."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def message_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Estimated tokens of chat messages: their text plus a few per message."""
    return sum(
        estimate_tokens(str(m.get("content") or "")) + MESSAGE_OVERHEAD_TOKENS for m in messages
    )


@dataclass(frozen=True)
class Budget:
    """How one request may spend the model's context (all in tokens)."""

    context: int
    answer: int
    repair: int
    margin: int

    @classmethod
    def for_context(cls, context: int, max_tokens: int) -> Budget:
        """The budget of a `context`-token model asked for answers of up to `max_tokens`."""
        return cls(
            context=context,
            answer=min(max_tokens, context // 4),
            repair=min(2_200, context // 8),
            margin=context // 20,
        )

    @property
    def prompt(self) -> int:
        """Tokens the request's messages may use."""
        return max(0, self.context - self.answer - self.repair - self.margin)


@functools.cache
def whole_schema_tokens() -> int:
    """Estimated tokens of the whole response schema as a JSON-mode message."""
    from storyreel.agent.llm_client import schema_message
    from storyreel.agent.llm_schema import director_schema

    return message_tokens([schema_message(director_schema())])


def schema_is_compact(context: int, max_tokens: int) -> bool:
    """Whether JSON mode sends the compact listing of the schema rather than the whole
    schema: when the whole one would take more than `FULL_SCHEMA_SHARE` of the request."""
    budget = Budget.for_context(context, max_tokens)
    return whole_schema_tokens() > FULL_SCHEMA_SHARE * budget.prompt


def schema_tokens(response_format: str, context: int, max_tokens: int) -> int:
    """Tokens the schema takes in the request: 0 with json_schema (it is the response
    format), else the message JSON mode sends for this context."""
    if response_format == "json_schema":
        return 0
    from storyreel.agent.llm_client import schema_message
    from storyreel.agent.llm_schema import director_schema

    compact = schema_is_compact(context, max_tokens)
    return message_tokens([schema_message(director_schema(), compact=compact)])


# --------------------------------------------------------------------------- the context


def context_from_env() -> int | None:
    """STORYREEL_LLM_CONTEXT in tokens, or None when unset.

    Raises:
        StoryreelError: it is not a whole number between 512 and 10,000,000.
    """
    raw = (os.environ.get("STORYREEL_LLM_CONTEXT") or "").strip().lower().replace("_", "")
    if not raw:
        return None
    scale = 1024 if raw.endswith("k") else 1
    try:
        value = int(float(raw.removesuffix("k")) * scale)
    except ValueError:
        raise StoryreelError(
            f"STORYREEL_LLM_CONTEXT must be a number of tokens (e.g. 8192 or 8k), got {raw!r}"
        ) from None
    if not 512 <= value <= 10_000_000:
        raise StoryreelError(f"STORYREEL_LLM_CONTEXT must be between 512 and 10000000, got {raw}")
    return value


def context_from_models(entries: Sequence[Mapping[str, Any]], model: str) -> int | None:
    """The context the /v1/models entries give for `model` (or for the only model listed)."""
    mine = [e for e in entries if str(e.get("id")) == model]
    if not mine and len(entries) == 1:
        mine = list(entries)
    for entry in mine:
        for place in (entry, entry.get("meta") if isinstance(entry.get("meta"), Mapping) else {}):
            for name in CONTEXT_FIELDS:
                value = place.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool) and value >= 512:
                    return int(value)
    return None


def discover_context(endpoint: Any, model: str, timeout_s: float = MODELS_TIMEOUT_S) -> int | None:
    """Ask the endpoint's GET /models for the model's context; None when it does not say.

    Raises:
        OSError-like errors are not raised: any failure is None (the chat request
        itself reports an unreachable server).
    """
    try:
        page = endpoint.client.with_options(timeout=timeout_s, max_retries=0).models.list()
        entries = [_as_dict(item) for item in page.data]
    except Exception:  # housekeeping: the chat request says what is wrong with the server
        return None
    return context_from_models(entries, model)


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    dump = getattr(item, "model_dump", None)
    return dict(dump()) if callable(dump) else {"id": getattr(item, "id", "")}


def context_tokens(director: _Director, memo: dict[str, Any]) -> int:
    """The model's context in tokens: STORYREEL_LLM_CONTEXT, else /v1/models, else 32k; a
    smaller context the server's own error gave in an earlier turn wins over all three.

    What the server said is remembered in `memo["context"]` for this endpoint and
    model, so it is asked once per session, not every turn.
    """
    given = context_from_env()
    key = f"{director.settings.where} {director.settings.model}"
    seen = memo.get("context")
    if isinstance(seen, dict) and seen.get("where") == key and isinstance(seen.get("tokens"), int):
        said = seen.get("from") == "server error"  # the server refused a longer request
        if given is None or (said and int(seen["tokens"]) < given):
            return int(seen["tokens"])
    if given is not None:
        return given
    found = discover_context(director.endpoint, director.settings.model)
    tokens = found or DEFAULT_CONTEXT_TOKENS
    memo["context"] = {"where": key, "tokens": tokens, "from": "server" if found else "default"}
    return tokens


def remember_context(director: _Director, memo: dict[str, Any], tokens: int) -> None:
    """Keep the context a server's own error gave mid-turn (the request was longer than the
    model's context) for this endpoint and model: `context_tokens` prefers it, from the
    next turn on, to STORYREEL_LLM_CONTEXT when it is smaller and to the default."""
    key = f"{director.settings.where} {director.settings.model}"
    memo["context"] = {"where": key, "tokens": tokens, "from": "server error"}


# --------------------------------------------------------------------------- the plan

_SHOT_WORDS = re.compile(
    r"\b(?:shots?|#)\s*((?:\d+)(?:\s*(?:,|&|and|to|through|-|\u2013)\s*(?:shot\s*)?#?\d+)*)",
    re.IGNORECASE,
)
_HASH = re.compile(r"#(\d+)\b")
_RANGE = re.compile(r"(\d+)\s*(?:to|through|-|\u2013)\s*(?:shot\s*)?#?(\d+)", re.IGNORECASE)


def named_shots(text: str) -> set[int]:
    """Shot numbers the message names: "shot 12", "shots 3 and 4", "shots 5-8", "#7"."""
    numbers: set[int] = set()
    for match in _SHOT_WORDS.finditer(text):
        group = match.group(1)
        for low, high in _RANGE.findall(group):
            a, b = sorted((int(low), int(high)))
            numbers.update(range(a, min(b, a + 50) + 1))
        numbers.update(int(n) for n in re.findall(r"\d+", group))
    numbers.update(int(n) for n in _HASH.findall(text))
    return numbers


def focus_shots(plan: StoryPlan, text: str) -> set[int]:
    """Ids of the shots to show in full: those the message names (by id or by place in the
    film) with their neighbours, or else the last few of the film."""
    ordered = plan.ordered_shots()
    numbers = named_shots(text)
    positions = [i for i, s in enumerate(ordered) if s.id in numbers or s.order in numbers]
    if not positions:
        return {s.id for s in ordered[-LAST_SHOTS:]}
    around = {
        j
        for i in positions
        for j in range(i - NEIGHBOURS, i + NEIGHBOURS + 1)
        if 0 <= j < len(ordered)
    }
    return {ordered[j].id for j in around}


def split_compact(plan: StoryPlan, whole: str) -> tuple[str, dict[int, str]] | None:
    """The bible part of `compact_plan`'s text and each shot's part, by shot id.

    None when the text does not have the expected "Shot ID (#ORDER): " heads (its
    format changed), so callers fall back to their own lines.
    """
    starts: list[tuple[int, int]] = []
    position = 0
    for shot in plan.ordered_shots():
        head = f"Shot {shot.id} (#{shot.order}): "
        found = whole.find(head, position)
        if found < 0 or (found > 0 and whole[found - 1] != "\n"):
            return None
        starts.append((shot.id, found))
        position = found + len(head)
    if not starts:
        return whole, {}
    bible = whole[: starts[0][1]].rstrip("\n")
    parts: dict[int, str] = {}
    for index, (shot_id, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(whole)
        parts[shot_id] = whole[start:end].rstrip("\n")
    return bible, parts


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def shot_line(shot: Shot) -> str:
    """A shot in one short line: id, place in the film, size, people, place, action."""
    extras = [shot.size.value]
    if shot.characters:
        extras.append("with " + ", ".join(shot.characters))
    if shot.location:
        extras.append("at " + shot.location)
    if shot.locked:
        extras.append("LOCKED")
    return f"Shot {shot.id} (#{shot.order}): {', '.join(extras)}: {_clip(shot.action, 60)}"


def scene_line(shots: Sequence[Shot]) -> str:
    """A scene in one line: which shots, where, who, how long, how it starts and ends."""
    first, last = shots[0], shots[-1]
    name = f"Scene {first.scene!r}" if first.scene else "Scene"
    where = f" at {first.location}" if first.location else ""
    people = sorted({c for s in shots for c in s.characters})
    who = f", with {', '.join(people[:6])}" if people else ""
    seconds = sum(s.duration_s for s in shots)
    span = (
        f"shot {first.id} (#{first.order})"
        if len(shots) == 1
        else f"shots #{first.order}-#{last.order} ({len(shots)} shots, ids {first.id}..{last.id})"
    )
    story = _clip(first.action, 50)
    if len(shots) > 1:
        story += " ... " + _clip(last.action, 50)
    return f"{name}{where}: {span}, {seconds:g} s{who}: {story}"


def fit_plan(plan: StoryPlan, budget_tokens: int, focus: set[int], whole: str) -> str:
    """The plan as text within `budget_tokens`: `whole` (compact_plan's text) if it fits,
    else the shots in `focus` in full and the rest shorter (see the module docstring)."""
    if estimate_tokens(whole) <= budget_tokens or not plan.shots:
        return whole
    from storyreel.tools.supervisor import scenes

    split = split_compact(plan, whole)
    if split is None:
        bible, full = whole.split("\nShot ", 1)[0], {}
    else:
        bible, full = split
    ordered = plan.ordered_shots()

    def full_text(shot: Shot) -> str:
        return full.get(shot.id) or shot_line(shot)

    header = f"{bible}\n{PARTIAL_NOTE}"
    # 1. focus in full, every other shot one line
    lines = [full_text(s) if s.id in focus else shot_line(s) for s in ordered]
    text = "\n".join([header, *lines])
    if estimate_tokens(text) <= budget_tokens:
        return text
    # 2. focus in full, the rest of their scenes one line a shot, other scenes one line each
    groups = scenes(plan)
    blocks: list[tuple[bool, list[str]]] = []  # (has focus, lines)
    for group in groups:
        if any(s.id in focus for s in group):
            blocks.append((True, [full_text(s) if s.id in focus else shot_line(s) for s in group]))
        else:
            blocks.append((False, [scene_line(group)]))
    text = "\n".join([header, *(line for _, block in blocks for line in block)])
    if estimate_tokens(text) <= budget_tokens:
        return text
    # 3. the shots in focus only, with scene lines nearest them first, while they fit
    focus_blocks = [i for i, (has, _) in enumerate(blocks) if has]
    shown = {i: [full_text(s) for s in groups[i] if s.id in focus] for i in focus_blocks}
    used = estimate_tokens(header) + sum(estimate_tokens("\n".join(v)) + 1 for v in shown.values())
    distance = {i: min((abs(i - j) for j in focus_blocks), default=i) for i in range(len(blocks))}
    for i in sorted(range(len(blocks)), key=lambda i: (distance[i], i)):
        if i in shown:
            continue
        cost = estimate_tokens(blocks[i][1][0]) + 1
        if used + cost > budget_tokens:
            continue
        shown[i] = blocks[i][1]
        used += cost
    out: list[str] = [header]
    hidden = 0
    for i, group in enumerate(groups):
        if i in shown:
            if hidden:
                out.append(f"({hidden} shots not shown here)")
                hidden = 0
            out.extend(shown[i])
        else:
            hidden += len(group)
    if hidden:
        out.append(f"({hidden} shots not shown here)")
    text = "\n".join(out)
    if estimate_tokens(text) > budget_tokens:  # the bible or the focus alone is too long
        text = text[: max(0, budget_tokens * CHARS_PER_TOKEN - 40)] + "\n(... cut to fit)"
    return text


# --------------------------------------------------------------------------- the history


def exchanges(history: Sequence[Mapping[str, str]]) -> list[list[dict[str, str]]]:
    """The history as whole exchanges: a user message and the messages after it.

    Assistant messages before the first user message (orphans left by an older
    trim) belong to no exchange and are dropped.
    """
    groups: list[list[dict[str, str]]] = []
    for message in history:
        if message.get("role") == "user":
            groups.append([dict(message)])
        elif groups:
            groups[-1].append(dict(message))
    return groups


def trim_exchanges(
    history: Sequence[Mapping[str, str]], budget_tokens: int
) -> list[dict[str, str]]:
    """The newest whole exchanges whose messages fit in `budget_tokens` (oldest dropped
    first); the result never starts with an assistant message."""
    kept: list[list[dict[str, str]]] = []
    used = 0
    for group in reversed(exchanges(history)):
        cost = message_tokens(group)
        if used + cost > budget_tokens:
            break
        kept.append(group)
        used += cost
    return [message for group in reversed(kept) for message in group]


# --------------------------------------------------------------------------- the request


def request_messages(
    director: _Director,
    text: str,
    plan: StoryPlan,
    history: Sequence[Mapping[str, str]],
    memo: dict[str, Any],
    response_format: str = "json_schema",
    context: int | None = None,
) -> list[dict[str, str]]:
    """The messages of one director request, within the model's context budget.

    System prompt (instructions and the plan, compacted when needed), the newest
    whole exchanges of `history`, and `text` (cut when it alone would take more than
    40 % of what the instructions leave). `context` is the model's context in tokens
    (None: `context_tokens`).
    """
    from storyreel.agent.llm_director import compact_plan

    context = context or context_tokens(director, memo)
    budget = Budget.for_context(context, director.settings.max_tokens)
    schema_cost = schema_tokens(response_format, context, director.settings.max_tokens)
    whole = compact_plan(plan)
    for example in (True, False):  # with the worked example when it leaves room
        prompt = director.system_prompt(plan, example=example)
        head, found, tail = prompt.partition(whole)
        if not found:  # the prompt does not carry compact_plan's text: it cannot be compacted
            head, tail = prompt, ""
        instructions = estimate_tokens(head + tail) + schema_cost + 2 * MESSAGE_OVERHEAD_TOKENS
        if budget.prompt - instructions >= ROOM_SHARE * budget.prompt:
            break
    if not found:
        whole = ""
    limit = max(100, int(min(budget.prompt, budget.prompt - instructions) * MESSAGE_SHARE))
    if estimate_tokens(text) > limit:
        text = text[: max(0, limit * CHARS_PER_TOKEN - len(CUT_NOTE))] + CUT_NOTE
    fixed = instructions + estimate_tokens(text)
    left = max(0, budget.prompt - fixed)
    kept = trim_exchanges(history, min(HISTORY_CAP_TOKENS, int(left * HISTORY_SHARE)))
    stills = stills_text(plan, memo)
    plan_budget = max(0, left - message_tokens(kept) - estimate_tokens(stills))
    plan_text = fit_plan(plan, plan_budget, focus_shots(plan, text), whole) if whole else ""
    plan_text += stills if plan_text else ""
    return [
        {"role": "system", "content": head + plan_text + tail},
        *kept,
        {"role": "user", "content": text},
    ]


STILLS_SHOWN = 40
"""At most this many shots' stills are listed in the context."""


def _numbers_text(numbers: Sequence[int]) -> str:
    """1, 2, 3, 4 -> "1-4"; 1, 3 -> "1, 3"."""
    if len(numbers) > 1 and list(numbers) == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


def stills_text(plan: StoryPlan, memo: Mapping[str, Any]) -> str:
    """Each shot's candidate still numbers (`memo["stills"]`, which the agent fills from
    story.db before the director reads a message), the picked one and whether it is stale
    (`memo["stills_stale"]`), so the model can emit PickKeyframe: "" when no shot has stills."""
    known = memo.get("stills")
    if not isinstance(known, Mapping) or not known:
        return ""
    stale = set(memo.get("stills_stale") or [])
    parts = []
    for shot in plan.ordered_shots():
        numbers = sorted(n for n in known.get(str(shot.id)) or [] if isinstance(n, int))
        if not numbers:
            continue
        part = f"shot {shot.id}: {_numbers_text(numbers)}"
        if shot.keyframe is not None:
            part += f" ({shot.keyframe} picked{', stale' if shot.id in stale else ''})"
        parts.append(part)
    if not parts:
        return ""
    more = (
        f"; {len(parts) - STILLS_SHOWN} more shots have stills" if len(parts) > STILLS_SHOWN else ""
    )
    return (
        "\nCandidate stills (PickKeyframe shot_id and number; number null clears the pick): "
        + "; ".join(parts[:STILLS_SHOWN])
        + more
        + "."
    )


def request_tokens(body: Mapping[str, Any]) -> int:
    """Estimated prompt tokens of a chat-completions request body (`ChatEndpoint.request_body`):
    its messages; the json_schema response format is not counted (see the module docstring)."""
    return message_tokens(body.get("messages") or [])
