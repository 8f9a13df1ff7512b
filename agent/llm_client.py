"""Talking to an OpenAI-compatible chat endpoint: one time budget, honest errors, size caps.

`ChatEndpoint.ask` sends one chat-completions request (and the few retries
the time budget allows) and returns the model's text, or raises `LLMTrouble`
whose message names the endpoint and quotes one line of the server's own
error, so a person can act on it.

- **Response formats.** It asks for strict structured outputs
  (``json_schema``) first. A server that refuses that (a 400/422 that names
  ``response_format``/``json_schema``) is asked again in JSON mode
  (``json_object``, the schema in the prompt), and one that refuses JSON mode
  too, with no response format at all (the schema in the prompt). Validation
  and one repair happen in the director either way.
- **Parameters.** ``temperature`` and ``max_tokens`` are sent. A server that
  refuses ``max_tokens`` by name (OpenAI's newer models want
  ``max_completion_tokens``) or a temperature (some reasoning models take
  only the default) gets the request again without it.
- **One time budget.** The openai client's own retries are off; the caller
  gives a deadline, every request waits at most until then, a 429 waits for
  its ``Retry-After`` only when that fits in what is left, and a 5xx or a
  dropped connection is retried at most `max_retries` times within it.
- **Size cap.** A reply body over `LLMSettings.max_reply_bytes` is refused
  without being read whole; its text is never returned.
- **The context.** When the director gives the model's context
  (`Adaptations.context_tokens`), ``max_tokens`` is capped so the request and
  the longest answer fit in it together (prompt + max_tokens <= context, with
  the budget's 5 % margin), and in JSON mode a context too small for the whole
  schema gets it as a terse listing (`storyreel.agent.llm_schema.compact_schema`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from storyreel.agent.llm_context import message_tokens, schema_is_compact
from storyreel.agent.llm_schema import compact_schema
from storyreel.tools.errors import StoryreelError

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_TEMPERATURE = 0.2
DEFAULT_MAX_TOKENS = 4096
DEFAULT_MAX_REPLY_BYTES = 200_000
MIN_ANSWER_TOKENS = 256
"""The least room for an answer a request may leave in the model's context; less is an error."""
OPENAI_URL = "https://api.openai.com/v1"
FORMATS = ("json_schema", "json_object", "text")
"""Response formats, best first; a server that refuses one is asked with the next."""
OFFLINE_HINT = "You can also work without a language model: storyreel say --offline ..."


class LLMTrouble(StoryreelError):
    """The language model could not be reached or understood; the message says why and where.

    `unavailable` is True: the turn changed nothing because of the model, not
    because of the person's request (front ends exit with 2 on it).
    """

    unavailable = True


@dataclass(frozen=True)
class LLMSettings:
    """Where the language model is, how long to wait for it and how it should answer.

    `timeout_s` is the whole wait of one turn, every retry and repair included.
    `response_format` forces a format ("json_schema", "json_object", "text");
    None starts with json_schema and falls back when the server refuses it.
    """

    base_url: str | None
    api_key: str
    model: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = 2
    temperature: float | None = DEFAULT_TEMPERATURE
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES
    response_format: str | None = None

    @classmethod
    def from_env(cls) -> LLMSettings | None:
        """Settings from the environment, or None when no LLM is configured.

        Raises:
            StoryreelError: a variable holds something that is not a number.
        """
        base_url = os.environ.get("OPENAI_BASE_URL") or None
        api_key = os.environ.get("OPENAI_API_KEY") or ""
        if base_url is None and not api_key:
            return None
        fmt = os.environ.get("STORYREEL_LLM_FORMAT") or None
        if fmt is not None and fmt not in FORMATS:
            raise StoryreelError(
                f"STORYREEL_LLM_FORMAT must be one of {', '.join(FORMATS)}, got {fmt!r}"
            )
        return cls(
            base_url=base_url,
            api_key=api_key or "not-needed",
            model=os.environ.get("STORYREEL_MODEL") or DEFAULT_MODEL,
            timeout_s=_number("STORYREEL_LLM_TIMEOUT", DEFAULT_TIMEOUT_S, 0.1, 3600),
            temperature=_number("STORYREEL_LLM_TEMPERATURE", DEFAULT_TEMPERATURE, 0, 2),
            max_tokens=int(_number("STORYREEL_LLM_MAX_TOKENS", DEFAULT_MAX_TOKENS, 16, 1_000_000)),
            response_format=fmt,
        )

    @property
    def where(self) -> str:
        """The endpoint's address, for messages."""
        return (self.base_url or OPENAI_URL).rstrip("/")


def _number(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise StoryreelError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise StoryreelError(f"{name} must be between {low:g} and {high:g}, got {raw}")
    return value


@dataclass
class Answer:
    """What the model said: its text (or a refusal), why it stopped, in which format, and
    the messages it answered (rebuilt ones when the format changed; without the schema)."""

    content: str
    refusal: str | None = None
    finish_reason: str | None = None
    response_format: str = "json_schema"
    messages: list[dict[str, str]] = field(default_factory=list)
    max_tokens: int | None = None
    """The longest answer the request allowed (the setting, or less in a small context)."""


@dataclass
class Adaptations:
    """What this endpoint was seen to refuse, so later requests leave it out.

    Kept by the director in the session memo (`as_dict`/`from_dict`), so a
    server that refuses json_schema is asked in JSON mode from then on.
    """

    response_format: str = "json_schema"
    tokens_parameter: str = "max_tokens"
    send_temperature: bool = True
    notes: list[str] = field(default_factory=list)
    context_tokens: int | None = None
    """The model's context this turn (set by the director; not remembered): caps max_tokens
    and picks the compact schema in JSON mode. None: no cap, the whole schema."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "response_format": self.response_format,
            "tokens_parameter": self.tokens_parameter,
            "send_temperature": self.send_temperature,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Adaptations:
        data = data or {}
        fmt = data.get("response_format")
        return cls(
            response_format=fmt if fmt in FORMATS else "json_schema",
            tokens_parameter=data.get("tokens_parameter") or "max_tokens",
            send_temperature=bool(data.get("send_temperature", True)),
        )


class ChatEndpoint:
    """One OpenAI-compatible endpoint, reached through the `openai` package."""

    def __init__(self, settings: LLMSettings, client: Any | None = None) -> None:
        import openai

        self.settings = settings
        self.client = client or openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key,
            timeout=settings.timeout_s,
            max_retries=0,
        )

    @property
    def where(self) -> str:
        return self.settings.where

    def ask(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        deadline: float,
        adapt: Adaptations | None = None,
        rebuild: Callable[[str], list[dict[str, str]]] | None = None,
    ) -> Answer:
        """One answer to `messages`, within `deadline` (a `time.monotonic()` value).

        `adapt` is updated when the server refuses a format or a parameter; then
        `rebuild(format)`, when given, makes the messages again for the new format
        (the schema travels as a message outside json_schema, so the budget changes).

        Raises:
            LLMTrouble: no usable answer in time; the message says why, names
                the endpoint and quotes the server.
        """
        import openai

        adapt = adapt or Adaptations(self.settings.response_format or "json_schema")
        if self.settings.response_format:
            adapt.response_format = self.settings.response_format
        failures = 0
        attempts = self.settings.max_retries + 1
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                raise self._timeout()
            try:
                answer = self._once(messages, schema, deadline, adapt)
                answer.messages = messages
                return answer
            except openai.APITimeoutError:
                raise self._timeout() from None
            except openai.APIConnectionError as error:
                failures += 1
                if failures >= attempts or not self._pause(0.3 * failures, deadline):
                    raise LLMTrouble(
                        f"I could not reach the language model at {self.where} "
                        f"({_cause(error)}). Check that the server is running and that "
                        f"OPENAI_BASE_URL is right (storyreel llm lists local servers). "
                        f"Nothing was changed. {OFFLINE_HINT}"
                    ) from None
            except openai.APIStatusError as error:
                fmt = adapt.response_format
                if self._adapt(error, adapt):
                    if rebuild is not None and adapt.response_format != fmt:
                        messages = rebuild(adapt.response_format)
                    continue
                failures += 1
                status = error.status_code
                if status == 429:
                    wait = retry_after(error.response.headers)
                    wait = 0.5 * failures if wait is None else wait
                    if failures < attempts and self._pause(wait, deadline):
                        continue
                    raise LLMTrouble(
                        f"The language model at {self.where} is busy (429, rate limited) and "
                        f"did not take the request within {self.settings.timeout_s:g} s: "
                        f"{server_line(error)} Nothing was changed; try again in a minute. "
                        f"{OFFLINE_HINT}"
                    ) from None
                if status >= 500 and failures < attempts and self._pause(0.5, deadline):
                    continue
                raise self._status_trouble(error) from None

    def models(self, timeout_s: float = 5.0) -> list[str]:
        """The model names the endpoint lists (GET /models).

        Raises:
            LLMTrouble: the endpoint could not be asked; the message says why.
        """
        import openai

        try:
            page = self.client.with_options(timeout=timeout_s, max_retries=0).models.list()
            return sorted(str(model.id) for model in page.data)
        except openai.APITimeoutError:
            raise LLMTrouble(
                f"The endpoint {self.where} did not list its models within {timeout_s:g} s."
            ) from None
        except openai.APIConnectionError as error:
            raise LLMTrouble(f"I could not reach {self.where} ({_cause(error)}).") from None
        except openai.APIStatusError as error:
            raise LLMTrouble(
                f"{self.where} answered {error.status_code} to GET /models: {server_line(error)}"
            ) from None
        except (ValueError, TypeError, AttributeError):
            raise LLMTrouble(
                f"{self.where} answered GET /models with something that is not a model list."
            ) from None

    # --- one request -------------------------------------------------------------

    def request_body(
        self, messages: list[dict[str, str]], schema: dict[str, Any], adapt: Adaptations
    ) -> dict[str, Any]:
        """The keyword arguments of one chat-completions request."""
        body: dict[str, Any] = {"model": self.settings.model}
        if adapt.response_format == "json_schema":
            body["messages"] = messages
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "DirectorReply", "schema": schema, "strict": True},
            }
        else:
            compact = adapt.context_tokens is not None and schema_is_compact(
                adapt.context_tokens, self.settings.max_tokens
            )
            body["messages"] = [*messages, schema_message(schema, compact=compact)]
            if adapt.response_format == "json_object":
                body["response_format"] = {"type": "json_object"}
        if self.settings.temperature is not None and adapt.send_temperature:
            body["temperature"] = self.settings.temperature
        body[adapt.tokens_parameter] = self.answer_tokens(body["messages"], adapt.context_tokens)
        return body

    def answer_tokens(self, messages: list[dict[str, str]], context: int | None) -> int:
        """The max_tokens to send: the setting, capped so that the request and the answer
        fit in `context` together (with the budget's 5 % margin for the estimate).

        Raises:
            LLMTrouble: the request leaves less than `MIN_ANSWER_TOKENS` for the answer.
        """
        if context is None:
            return self.settings.max_tokens
        asked = message_tokens(messages)
        room = context - asked - context // 20
        if room < MIN_ANSWER_TOKENS:
            raise LLMTrouble(
                f"The request to the language model at {self.where} needs about {asked} tokens "
                f"of its {context}-token context, which leaves no room for an answer. Nothing "
                "was changed. Set STORYREEL_LLM_CONTEXT to the model's real context (a larger "
                "model or server setting helps), or start a fresh conversation (--session NEW). "
                f"{OFFLINE_HINT}"
            )
        return min(self.settings.max_tokens, room)

    def _once(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        deadline: float,
        adapt: Adaptations,
    ) -> Answer:
        import httpx

        remaining = max(0.05, deadline - time.monotonic())
        body = self.request_body(messages, schema, adapt)
        timeout = httpx.Timeout(remaining, connect=min(remaining, 5.0))
        completions = self.client.chat.completions
        with completions.with_streaming_response.create(**body, timeout=timeout) as response:
            raw = self._read_capped(response, deadline)
        answer = self._answer(raw, adapt.response_format)
        answer.max_tokens = body[adapt.tokens_parameter]
        return answer

    def _read_capped(self, response: Any, deadline: float) -> bytes:
        cap = self.settings.max_reply_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise self._too_big(int(declared))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise self._too_big(size)
            if time.monotonic() > deadline:
                raise self._timeout()
            chunks.append(chunk)
        return b"".join(chunks)

    def _answer(self, raw: bytes, fmt: str) -> Answer:
        text = raw.decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except ValueError:
            raise LLMTrouble(
                f"The language model at {self.where} answered with something that is not "
                f"JSON (it starts: {_first_line(text)!r}). Is OPENAI_BASE_URL the API address "
                f"(usually ending in /v1)? Nothing was changed. {OFFLINE_HINT}"
            ) from None
        if isinstance(data, dict) and isinstance(data.get("error"), dict | str):
            error = data["error"]
            said = error.get("message", "") if isinstance(error, dict) else error
            raise LLMTrouble(
                f"The language model at {self.where} answered with an error: "
                f"{_first_line(str(said))!r}. Nothing was changed. {OFFLINE_HINT}"
            )
        choices = data.get("choices") if isinstance(data, dict) else None
        first = choices[0] if isinstance(choices, list) and choices else None
        message = first.get("message") if isinstance(first, dict) else None
        if not isinstance(message, dict):
            raise LLMTrouble(
                f"The language model at {self.where} answered without a message (no "
                f"'choices' in {_first_line(text)!r}). Is it a chat-completions endpoint? "
                f"Nothing was changed. {OFFLINE_HINT}"
            )
        content = message.get("content")
        if isinstance(content, list):  # some servers send content parts
            content = "".join(
                str(part.get("text", "")) for part in content if isinstance(part, dict)
            )
        refusal = message.get("refusal")
        return Answer(
            content=content if isinstance(content, str) else "",
            refusal=refusal if isinstance(refusal, str) and refusal else None,
            finish_reason=first.get("finish_reason"),
            response_format=fmt,
        )

    # --- trouble ------------------------------------------------------------------

    def _adapt(self, error: Any, adapt: Adaptations) -> bool:
        """Change what is sent when the server refused a format or a parameter by name."""
        if error.status_code not in (400, 415, 422):
            return False
        said = _error_text(error).lower()
        param = _error_field(error, "param") or ""
        if (
            "response_format" in said or "json_schema" in said or "json_object" in said
        ) and not self.settings.response_format:
            index = FORMATS.index(adapt.response_format)
            if index + 1 < len(FORMATS):
                adapt.response_format = FORMATS[index + 1]
                adapt.notes.append(f"{self.where} refused {FORMATS[index]}: {server_line(error)}")
                return True
        if adapt.tokens_parameter == "max_tokens" and (
            param == "max_tokens" or "'max_tokens'" in said or "max_completion_tokens" in said
        ):
            adapt.tokens_parameter = "max_completion_tokens"
            return True
        if adapt.send_temperature and (param == "temperature" or "'temperature'" in said):
            adapt.send_temperature = False
            return True
        return False

    def _pause(self, seconds: float, deadline: float) -> bool:
        """Sleep `seconds` if that leaves time for another request; False when it does not."""
        if time.monotonic() + seconds + 0.1 >= deadline:
            return False
        time.sleep(seconds)
        return True

    def _timeout(self) -> LLMTrouble:
        return LLMTrouble(
            f"The language model at {self.where} did not answer within "
            f"{self.settings.timeout_s:g} s (STORYREEL_LLM_TIMEOUT). Nothing was changed; "
            f"try again. {OFFLINE_HINT}"
        )

    def _too_big(self, size: int) -> LLMTrouble:
        return LLMTrouble(
            f"The language model at {self.where} sent a reply of more than "
            f"{self.settings.max_reply_bytes // 1000} kB ({size // 1000} kB so far); I did not "
            "use it. Nothing was changed; try again, or lower STORYREEL_LLM_MAX_TOKENS. "
            f"{OFFLINE_HINT}"
        )

    def _status_trouble(self, error: Any) -> LLMTrouble:
        status = error.status_code
        hint = {
            401: " Check OPENAI_API_KEY.",
            403: " Check OPENAI_API_KEY and that the key may use this model.",
            404: " Check OPENAI_BASE_URL (usually ending in /v1) and STORYREEL_MODEL "
            "(storyreel llm lists the models).",
        }.get(status, "")
        return LLMTrouble(
            f"The language model at {self.where} answered {status}: {server_line(error)}"
            f"{hint} Nothing was changed. {OFFLINE_HINT}"
        )


def schema_message(schema: dict[str, Any], compact: bool = False) -> dict[str, str]:
    """The system message that carries the schema when the server cannot enforce it: the
    whole JSON schema, or with `compact` a terse listing of the edits (about 900 tokens
    instead of 8,500) for a model whose context cannot hold the whole one."""
    if compact:
        return {
            "role": "system",
            "content": "Answer with exactly one JSON object and nothing else (no prose, no "
            "code fences), in this form:\n" + compact_schema(schema),
        }
    return {
        "role": "system",
        "content": "Answer with exactly one JSON object and nothing else (no prose, no code "
        "fences). It must match this JSON schema; every property is required, use null "
        "where a field does not apply:\n" + json.dumps(schema, separators=(",", ":")),
    }


def retry_after(headers: Any) -> float | None:
    """Seconds a 429 asks to wait (retry-after-ms or retry-after in seconds), if it says."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name) if headers is not None else None
        if raw:
            try:
                return max(0.0, float(raw) * scale)
            except ValueError:
                continue
    return None


def server_line(error: Any) -> str:
    """One line of the server's own error message, quoted (at most 300 characters)."""
    return repr(_first_line(_error_text(error)) or f"HTTP {error.status_code} with no message")


def _error_text(error: Any) -> str:
    said = _error_field(error, "message")
    if said:
        return said
    try:
        return error.response.text
    except Exception:  # a streamed body that was not read
        return str(getattr(error, "message", "") or "")


def _error_field(error: Any, name: str) -> str | None:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        value = inner.get(name)
        if value is not None:
            return str(value)
    return None


def _first_line(text: str, limit: int = 300) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _cause(error: Any) -> str:
    cause = error.__cause__ or error.__context__
    return _first_line(str(cause or error)) or type(error).__name__


def with_timeout(settings: LLMSettings, timeout_s: float) -> LLMSettings:
    """The same settings with another time budget."""
    return replace(settings, timeout_s=timeout_s)
