"""The LLM director: any OpenAI-compatible chat endpoint, with structured outputs.

Configured by environment variables (all optional):

- `OPENAI_BASE_URL`: the endpoint, e.g. a local vLLM, Ollama (http://localhost:11434/v1),
  llama.cpp or LM Studio server. Default: OpenAI's own API.
- `OPENAI_API_KEY`: the key; local servers usually accept any value.
- `STORYREEL_MODEL`: the model name (default `gpt-4o-mini`).
- `STORYREEL_LLM_TIMEOUT`: seconds to wait for an answer (default 60).

The reply must validate as a `DirectorReply` (pydantic response format). An
invalid reply gets one repair attempt with the validation error; if that
fails too, the person gets an honest "I could not turn that into a change"
and the plan is left untouched. Refusals, timeouts, rate limits (retried
with backoff by the client) and an unreachable endpoint become plain replies.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from importlib import resources
from string import Template
from typing import Any

import openai
from pydantic import ValidationError

from storyreel.agent.director import DirectorReply
from storyreel.tools.story import StoryPlan
from storyreel.tools.vocabulary import (
    Angle,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    accepted_values,
)

DEFAULT_MODEL = "gpt-4o-mini"
HISTORY_BUDGET_CHARS = 24_000
OFFLINE_HINT = "You can also work without a language model: storyreel say --offline ..."


@dataclass(frozen=True)
class LLMSettings:
    """Where the language model is and how long to wait for it."""

    base_url: str | None
    api_key: str
    model: str
    timeout_s: float = 60.0
    max_retries: int = 3

    @classmethod
    def from_env(cls) -> LLMSettings | None:
        """Settings from the environment, or None when no LLM is configured."""
        base_url = os.environ.get("OPENAI_BASE_URL") or None
        api_key = os.environ.get("OPENAI_API_KEY") or ""
        if base_url is None and not api_key:
            return None
        return cls(
            base_url=base_url,
            api_key=api_key or "not-needed",
            model=os.environ.get("STORYREEL_MODEL") or DEFAULT_MODEL,
            timeout_s=float(os.environ.get("STORYREEL_LLM_TIMEOUT") or 60),
        )

    @property
    def where(self) -> str:
        return self.base_url or "https://api.openai.com/v1"


def load_prompt(name: str, **values: str) -> str:
    """A prompt template from storyreel.prompts, with every $placeholder filled (or KeyError)."""
    text = resources.files("storyreel.prompts").joinpath(name).read_text(encoding="utf-8")
    return Template(text).substitute(values)


def compact_plan(plan: StoryPlan) -> str:
    """The plan in a few lines per entity, for the model's context."""
    lines = [f"Title: {plan.title}. Style: {plan.style.aspect}, {plan.style.fps} fps."]
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
        if s.characters:
            extras.append("with " + ", ".join(s.characters))
        if s.location:
            extras.append("at " + s.location)
        if s.continues_from:
            extras.append(f"continues from {s.continues_from}")
        if s.dialogue:
            extras.append(f'says "{s.dialogue}"')
        if s.locked:
            extras.append("LOCKED")
        head = f"Shot {s.id} (#{s.order}): {s.size.value} {s.angle.value} {s.movement.value}"
        lines.append(f"{head}, {', '.join(extras)}: {s.action}")
    if not plan.shots:
        lines.append("No shots yet.")
    return "\n".join(lines)


def trim_history(history: list[dict[str, str]], budget: int = HISTORY_BUDGET_CHARS) -> list[dict]:
    """The most recent messages whose text fits in `budget` characters (oldest dropped first)."""
    kept: list[dict[str, str]] = []
    used = 0
    for message in reversed(history):
        used += len(message["content"])
        if used > budget:
            break
        kept.append(message)
    return list(reversed(kept))


class LLMDirector:
    """Directs with a language model behind an OpenAI-compatible API."""

    name = "llm"

    def __init__(
        self,
        settings: LLMSettings,
        backends: list[str] | None = None,
        client: openai.OpenAI | None = None,
    ) -> None:
        self.settings = settings
        self.backends = backends or ["previz"]
        self.client = client or openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
        )

    def system_prompt(self, plan: StoryPlan) -> str:
        return load_prompt(
            "director.md",
            sizes=accepted_values(ShotSize),
            angles=accepted_values(Angle),
            movements=accepted_values(Movement),
            times=accepted_values(TimeOfDay),
            sides=accepted_values(LightSide),
            backends=", ".join(self.backends),
            plan=compact_plan(plan),
        )

    def direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Ask the model for a DirectorReply; never raises for model or network trouble."""
        history: list[dict[str, str]] = memo.setdefault("history", [])
        messages: list[dict[str, str]] = [
            {"role": "system", "content": self.system_prompt(plan)},
            *trim_history(history),
            {"role": "user", "content": text},
        ]
        try:
            reply = self._ask(messages)
        except openai.APITimeoutError:
            reply = self._trouble(
                f"The language model at {self.settings.where} did not answer within "
                f"{self.settings.timeout_s:g} s. Nothing was changed; try again."
            )
        except openai.RateLimitError:
            reply = self._trouble(
                f"The language model at {self.settings.where} is busy (rate limited) and kept "
                "refusing after several retries. Nothing was changed; try again in a minute."
            )
        except openai.AuthenticationError:
            reply = self._trouble(
                f"The language model at {self.settings.where} refused the API key; check "
                "OPENAI_API_KEY. Nothing was changed."
            )
        except openai.APIConnectionError:
            reply = self._trouble(
                f"I could not reach the language model at {self.settings.where}. Check that the "
                "server is running and OPENAI_BASE_URL is right. Nothing was changed."
            )
        except openai.APIStatusError as error:
            reply = self._trouble(
                f"The language model at {self.settings.where} answered with an error "
                f"({error.status_code}). Nothing was changed."
            )
        history.append({"role": "user", "content": text})
        history.append({"role": "assistant", "content": reply.model_dump_json()})
        memo["history"] = trim_history(history)
        return reply

    def _trouble(self, message: str) -> DirectorReply:
        return DirectorReply(reply=f"{message} {OFFLINE_HINT}", edits=[])

    def _ask(self, messages: list[dict[str, str]]) -> DirectorReply:
        """One request, plus one repair request if the answer does not validate."""
        for attempt in range(2):
            completion = self.client.chat.completions.create(
                model=self.settings.model,
                messages=messages,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "DirectorReply", "schema": _schema(), "strict": True},
                },
            )
            message = completion.choices[0].message
            if getattr(message, "refusal", None):
                return DirectorReply(
                    reply=f"The language model declined: {message.refusal}", edits=[]
                )
            raw = message.content or ""
            try:
                return DirectorReply.model_validate_json(_strip_fences(raw))
            except ValidationError as error:
                if attempt == 1:
                    break
                messages = [
                    *messages,
                    {"role": "assistant", "content": raw},
                    {
                        "role": "user",
                        "content": "That reply did not match the required JSON schema: "
                        f"{_short_errors(error)}. Answer again with one valid JSON object.",
                    },
                ]
        return DirectorReply(
            reply="I could not turn that into a change (the language model's answer was not "
            "valid twice). The plan is unchanged; try saying it another way.",
            edits=[],
        )


@functools.cache
def _schema() -> dict[str, Any]:
    from openai.lib._pydantic import to_strict_json_schema

    return to_strict_json_schema(DirectorReply)


def _strip_fences(raw: str) -> str:
    """Some local models wrap JSON in ``` fences; take what is inside."""
    text = raw.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text.split("\n", 1)[1] if "\n" in text else text
    return text


def _short_errors(error: ValidationError) -> str:
    items = [
        f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()[:8]
    ]
    return json.dumps(items)
