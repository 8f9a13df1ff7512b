"""Optional weighted metrics: how well the frames match the shot's words, and how steady they are.

Used only when a CLIP model is already on this machine (never downloaded):
STORYREEL_CLIP_MODEL names a folder or a hub id in the Hugging Face cache
(default openai/clip-vit-base-patch32; "off" turns it off). Two metrics:

- clip_alignment: mean cosine similarity between the shot's prompt and its
  first, middle and last frames (CLIPScore without the x2.5 scale). Matching
  pictures score about 0.25-0.35 with ViT-B/32, unrelated ones about 0.1-0.18.
- clip_consistency: the lowest cosine similarity between the first frame and
  the middle or last one (VBench's subject consistency, with CLIP in place of
  DINO): one continuous shot stays above about 0.8.

Both give warnings, never retakes: the thresholds are from the literature, not
calibrated on this project's fixtures (no real weights here).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.tools.story import Finding

MODEL_ENV = "STORYREEL_CLIP_MODEL"
DEFAULT_MODEL = "openai/clip-vit-base-patch32"
ALIGNMENT_MIN = 0.18
CONSISTENCY_MIN = 0.75


def locate(model: str) -> str | None:
    """Where the model's files are on disk (a folder or a cached hub id), or None."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        has_weights = any(
            (folder / n).is_file() for n in ("model.safetensors", "pytorch_model.bin")
        )
        return str(folder) if (folder / "config.json").is_file() and has_weights else None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        config = try_to_load_from_cache(model, "config.json")
        names = ("model.safetensors", "pytorch_model.bin")
        weights = [try_to_load_from_cache(model, name) for name in names]
    except ValueError:  # not a hub id either (e.g. a folder that does not exist)
        return None
    if isinstance(config, str) and any(isinstance(w, str) for w in weights):
        return model
    return None


@functools.cache
def _load(where: str) -> tuple[Any, Any]:
    from transformers import CLIPModel, CLIPProcessor

    model = CLIPModel.from_pretrained(where, local_files_only=True).eval()
    processor = CLIPProcessor.from_pretrained(where, local_files_only=True)
    return model, processor


class EmbeddingCritic:
    """CLIP alignment and consistency of a take's frames; see the module docs."""

    def __init__(self, where: str) -> None:
        self.where = where

    @classmethod
    def from_env(cls) -> EmbeddingCritic | None:
        """The critic when its model is on disk and torch/transformers are installed, else None."""
        model = os.environ.get(MODEL_ENV, DEFAULT_MODEL).strip()
        if not model or model.lower() == "off":
            return None
        if not all(importlib.util.find_spec(m) for m in ("torch", "transformers")):
            return None
        where = locate(model)
        return cls(where) if where is not None else None

    def measure(self, prompt: str, frames: Sequence[np.ndarray]) -> dict[str, float]:
        """clip_alignment and clip_consistency of `frames` (first, middle, last) vs `prompt`."""
        import torch

        model, processor = _load(self.where)
        inputs = processor(
            text=[prompt],
            images=[np.ascontiguousarray(f) for f in frames],
            return_tensors="pt",
            padding=True,
            truncation=True,
        )
        with torch.no_grad():
            output = model(**inputs)
        text = torch.nn.functional.normalize(output.text_embeds, dim=-1)[0]
        images = torch.nn.functional.normalize(output.image_embeds, dim=-1)
        alignment = float((images @ text).mean())
        consistency = float((images[1:] @ images[0]).min()) if len(images) > 1 else 1.0
        return {"clip_alignment": alignment, "clip_consistency": consistency}

    @staticmethod
    def findings(shot_id: int, metrics: dict[str, float]) -> list[Finding]:
        """Warnings in plain words when a metric is below its threshold."""
        found = []
        if metrics.get("clip_alignment", 1.0) < ALIGNMENT_MIN:
            found.append(
                Finding(
                    kind="weak_match",
                    severity="warning",
                    message=f"Shot {shot_id} may not show what was planned (its frames match "
                    f"the shot's words at {metrics['clip_alignment']:.2f}; matching pictures "
                    "score about 0.25 or more).",
                )
            )
        if metrics.get("clip_consistency", 1.0) < CONSISTENCY_MIN:
            found.append(
                Finding(
                    kind="inconsistent",
                    severity="warning",
                    message=f"Shot {shot_id} changes a lot from its first frame to its last "
                    f"(similarity {metrics['clip_consistency']:.2f}); the subject may change "
                    "appearance.",
                )
            )
        return found
