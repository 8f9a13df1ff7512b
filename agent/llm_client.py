"""Talking to an OpenAI-compatible chat endpoint: one time budget, honest errors, size caps.

`ChatEndpoint.ask` sends one chat-completions request (and the few retries
the time budget allows) and returns the model's text, or raises `LLMTrouble`
whose message names the endpoint and quotes one line of the server's own
error, so a person can act on it.

- **Response formats.** It asks for strict structured outputs
  (``json_schema``) first. A server that refuses that (a 400/422 that names
  ``response_format``/``json_schema``) is asked again in JSON mode
  (``json_object``, the schema in the prompt and in the response format as
  ``{"type": "json_object", "schema": ...}``, which llama-cpp-python's server
  turns into a grammar, so even a tiny model answers in the schema; a server
  that refuses the extra ``schema`` is asked without it), and one that
  refuses JSON mode too, with no response format at all (the schema in the
  prompt). Validation and one repair happen in the director either way.
- **Parameters.** ``temperature`` and ``max_tokens`` are sent. A server that
  refuses ``max_tokens`` by name (OpenAI's newer models want
  ``max_completion_tokens``) or a temperature (some reasoning models take
  only the default) gets the request again without it. llama-cpp-python's
  server refuses ``json_schema`` with a 500 (its request validation), not a
  400: a 5xx whose error names the response format is a refusal too.
- **The server's context.** A request the server refuses as longer than the
  model's context ("This model's maximum context length is 8192 tokens",
  as OpenAI, vLLM and llama-cpp-python say it; llama.cpp's ``n_ctx``) is
  built again for that context (`Adaptations.context_tokens`, through
  `rebuild`) and sent once more: many local servers do not say their context
  in ``GET /v1/models``.
- **The server's count.** Tokens are estimated as characters / 4; the
  server's own count of a request (``usage.prompt_tokens`` in JSON mode, or
  "N in the messages" in a too-long error) gives `Adaptations.token_scale`,
  and the budget and ``max_tokens`` use it (SmolLM2 counts about 1.18 tokens
  per estimated one, so without it prompt + max_tokens overran an 8k context).
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
import math
import os
import re
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
MAX_TOKEN_SCALE = 2.0
"""The most real tokens per estimated one storyreel believes a server's count of."""
OPENAI_URL = "https://api.openai.com/v1"
FORMATS = ("json_schema", "json_object", "text")
"""Response formats, best first; a server that refuses one is asked with the next."""
OFFLINE_HINT = "You can also work without a language model: storyreel say --offline ..."
_CONTEXT_SAID = re.compile(
    r"maximum context length is (\d+)|context window of (\d+)|context size (?:is |of )?(\d+)",
    re.IGNORECASE,
)
"""How servers say the model's context when a request is too long for it."""


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
    prompt_tokens: int | None = None
    """The request's tokens as the server counted them (its `usage`), when it says."""


@dataclass
class Adaptations:
    """What this endpoint was seen to refuse, so later requests leave it out.

    Kept by the director in the session memo (`as_dict`/`from_dict`), so a
    server that refuses json_schema is asked in JSON mode from then on.
    """

    response_format: str = "json_schema"
    tokens_parameter: str = "max_tokens"
    send_temperature: bool = True
    schema_in_json_object: bool = True
    """JSON mode sends the schema in the response format too ({"type": "json_object",
    "schema": ...}, llama-cpp-python's way of structured outputs: a grammar made from it);
    False once a server refused that."""
    token_scale: float = 1.0
    """The server's prompt tokens per estimated token (characters / 4), learnt from its
    `usage` or from a too-long error (1 to `MAX_TOKEN_SCALE`): SmolLM2's tokenizer counts
    about 1.18 of its tokens per estimated one on storyreel's requests."""
    notes: list[str] = field(default_factory=list)
    context_tokens: int | None = None
    """The model's context this turn (set by the director; not remembered): caps max_tokens
    and picks the compact schema in JSON mode. None: no cap, the whole schema."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "response_format": self.response_format,
            "tokens_parameter": self.tokens_parameter,
            "send_temperature": self.send_temperature,
            "schema_in_json_object": self.schema_in_json_object,
            "token_scale": self.token_scale,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Adaptations:
        data = data or {}
        fmt = data.get("response_format")
        return cls(
            response_format=fmt if fmt in FORMATS else "json_schema",
            tokens_parameter=data.get("tokens_parameter") or "max_tokens",
            send_temperature=bool(data.get("send_temperature", True)),
            schema_in_json_object=bool(data.get("schema_in_json_object", True)),
            token_scale=_scale(data.get("token_scale")),
        )

    def budget_context(self) -> int | None:
        """The context in estimated tokens (what the request builder budgets with): the
        model's context over `token_scale`, so a scaled request fits the real one."""
        if self.context_tokens is None:
            return None
        return int(self.context_tokens / self.token_scale)

    def learn_scale(self, estimated: int, counted: int | None) -> bool:
        """Keep the ratio of the server's count to the estimate; True when it changed. A count
        under half the estimate is not believed (a server that does not really count)."""
        if not counted or estimated <= 0 or counted < estimated / 2:
            return False
        scale = _scale(counted / estimated)
        if abs(scale - self.token_scale) < 0.01:
            return False
        self.token_scale = scale
        return True


def _scale(value: object) -> float:
    """A token scale within 1 to `MAX_TOKEN_SCALE` (1 when `value` is not a number)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return 1.0
    return round(min(MAX_TOKEN_SCALE, max(1.0, float(value))), 3)


class ChatEndpoint:
    """One OpenAI-compatible endpoint, reached through the `openai` package."""

    def __init__(self, settings: LLMSettings, client: Any | None = None) -> None:
        import openai

        self.settings = settings
        self._sent_estimate = 0
        """The estimated tokens of the last request's messages (to learn the token scale)."""
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
                before = (adapt.response_format, adapt.context_tokens, adapt.token_scale)
                if self._adapt(error, adapt):
                    after = (adapt.response_format, adapt.context_tokens, adapt.token_scale)
                    changed = after != before
                    if rebuild is not None and changed:
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
            budgeted = adapt.budget_context()  # the same choice the request builder made
            compact = budgeted is not None and schema_is_compact(budgeted, self.settings.max_tokens)
            body["messages"] = [*messages, schema_message(schema, compact=compact)]
            if adapt.response_format == "json_object":
                body["response_format"] = {"type": "json_object"}
                if adapt.schema_in_json_object:  # llama-cpp-python makes it a grammar
                    body["response_format"]["schema"] = schema
        if self.settings.temperature is not None and adapt.send_temperature:
            body["temperature"] = self.settings.temperature
        body[adapt.tokens_parameter] = self.answer_tokens(
            body["messages"], adapt.context_tokens, adapt.token_scale
        )
        return body

    def answer_tokens(
        self, messages: list[dict[str, str]], context: int | None, scale: float = 1.0
    ) -> int:
        """The max_tokens to send: the setting, capped so that the request and the answer
        fit in `context` together (with the budget's 5 % margin for the estimate); the
        request's estimate is multiplied by `scale` (`Adaptations.token_scale`).

        Raises:
            LLMTrouble: the request leaves less than `MIN_ANSWER_TOKENS` for the answer.
        """
        if context is None:
            return self.settings.max_tokens
        asked = math.ceil(message_tokens(messages) * scale)
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
        self._sent_estimate = message_tokens(body["messages"])
        timeout = httpx.Timeout(remaining, connect=min(remaining, 5.0))
        completions = self.client.chat.completions
        with completions.with_streaming_response.create(**body, timeout=timeout) as response:
            raw = self._read_capped(response, deadline)
        answer = self._answer(raw, adapt.response_format)
        answer.max_tokens = body[adapt.tokens_parameter]
        if adapt.response_format != "json_schema":  # the count may include the schema there
            adapt.learn_scale(message_tokens(body["messages"]), answer.prompt_tokens)
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
        usage = data.get("usage")
        counted = usage.get("prompt_tokens") if isinstance(usage, dict) else None
        return Answer(
            content=content if isinstance(content, str) else "",
            refusal=refusal if isinstance(refusal, str) and refusal else None,
            finish_reason=first.get("finish_reason"),
            response_format=fmt,
            prompt_tokens=counted if isinstance(counted, int) else None,
        )

    # --- trouble ------------------------------------------------------------------

    def _adapt(self, error: Any, adapt: Adaptations) -> bool:
        """Change what is sent when the server refused a format or a parameter by name, or
        said the request is longer than the model's context (a smaller one than assumed)."""
        said = _error_text(error).lower()
        names_format = "response_format" in said or "json_schema" in said or "json_object" in said
        # llama-cpp-python answers its request validation's refusal of json_schema with a 500
        refused = error.status_code in (400, 415, 422) or (
            error.status_code >= 500 and names_format
        )
        if not refused:
            return False
        context = context_said(error)
        if context is not None and (adapt.context_tokens is None or context < adapt.context_tokens):
            adapt.context_tokens = context
            adapt.notes.append(
                f"{self.where} said the model's context is {context} tokens: {server_line(error)}"
            )
            return True
        counted = _counted_prompt(error)
        if context is not None and adapt.learn_scale(self._sent_estimate, counted):
            adapt.notes.append(
                f"{self.where} counts {adapt.token_scale:g} tokens per estimated token: "
                f"{server_line(error)}"
            )
            return True
        param = _error_field(error, "param") or ""
        if names_format and adapt.response_format == "json_object" and adapt.schema_in_json_object:
            adapt.schema_in_json_object = False
            adapt.notes.append(
                f"{self.where} refused a schema in json_object: {server_line(error)}"
            )
            return True
        if names_format and not self.settings.response_format:
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
    """One line of the server's own error message, quoted (at most 300 characters); a
    first line that only introduces the next ("1 validation error:") is joined to it."""
    line = _said_line(_error_text(error))
    if not line:
        return repr(f"HTTP {error.status_code} with no message")
    if "'" in line and '"' in line:  # repr would escape one kind: quote it as it is
        return f'"{line}"'
    return repr(line)


def context_said(error: Any) -> int | None:
    """The model's context in tokens when the server's error says a request overflowed it
    (its message, or llama.cpp's `n_ctx` field), else None."""
    field_value = _error_field(error, "n_ctx")
    if field_value is not None and field_value.isdigit() and int(field_value) >= 256:
        return int(field_value)
    match = _CONTEXT_SAID.search(_error_text(error))
    if match is None:
        return None
    value = int(next(group for group in match.groups() if group))
    return value if value >= 256 else None


def _counted_prompt(error: Any) -> int | None:
    """The request's tokens as a too-long error counts them ("(14640 in the messages")."""
    match = re.search(r"(\d+) in the messages", _error_text(error))
    return int(match.group(1)) if match else None


def _said_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    if line.endswith(":") and len(lines) > 1:
        line = f"{line} {lines[1]}"
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
