"""An optional vision-language critic: keyframes and the shot's plan shown to a model that sees.

Off unless `STORYREEL_VISION_MODEL` names a model that accepts images on the
configured OpenAI-compatible endpoint (`OPENAI_BASE_URL`, `OPENAI_API_KEY`).
It never decides alone: its findings join the measured ones as warnings, and
any failure (no endpoint, a model without image input, a bad answer) yields
no findings and a note, never a crash.
"""

from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, ValidationError

from storyreel.tools.story import Finding


class _VisionFinding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["wrong_subject", "wrong_location", "wrong_framing", "continuity", "artifact"]
    message: str


class _VisionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    findings: list[_VisionFinding]


SYSTEM = (
    "You check one shot of a film against its plan. You see keyframes (first, middle, last). "
    "Report only clear problems a viewer would notice: a character who does not match the "
    "description, the wrong place or time of day, framing far from the planned shot size, "
    "broken continuity, or visual artifacts (melted faces, extra limbs). Answer with JSON "
    '{"findings": [{"kind": ..., "message": "plain words for a non-technical person"}]}; '
    "an empty list when the shot matches."
)


@dataclass(frozen=True)
class VisionCritic:
    """Asks a vision-language model about a take's keyframes."""

    base_url: str | None
    api_key: str
    model: str
    timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> VisionCritic | None:
        """A critic when STORYREEL_VISION_MODEL is set, else None (the default)."""
        model = os.environ.get("STORYREEL_VISION_MODEL")
        if not model:
            return None
        return cls(
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
            model=model,
            timeout_s=float(os.environ.get("STORYREEL_LLM_TIMEOUT") or 60),
        )

    def findings(self, plan_text: str, keyframes: list[np.ndarray]) -> tuple[list[Finding], str]:
        """Findings for the keyframes against `plan_text`, and a note when it could not judge."""
        import openai

        content: list[dict] = [{"type": "text", "text": plan_text}]
        for frame in keyframes:
            buffer = io.BytesIO()
            Image.fromarray(frame).save(buffer, format="PNG")
            url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
            content.append({"type": "image_url", "image_url": {"url": url}})
        client = openai.OpenAI(
            base_url=self.base_url, api_key=self.api_key, timeout=self.timeout_s, max_retries=1
        )
        try:
            completion = client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": content},
                ],
                response_format={"type": "json_object"},
            )
            raw = completion.choices[0].message.content or ""
            answer = _VisionAnswer.model_validate_json(raw)
        except (openai.OpenAIError, ValidationError, json.JSONDecodeError) as error:
            return [], f"The vision critic could not judge this take ({type(error).__name__})."
        return [
            Finding(kind=f"vision_{item.kind}", severity="warning", message=item.message)
            for item in answer.findings
        ], ""
