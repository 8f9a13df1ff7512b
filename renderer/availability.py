"""Which renderers can run on this machine, and why the others cannot."""

from __future__ import annotations

import importlib.util
from typing import Any


def backend_availability(name: str) -> dict[str, Any]:
    """Whether backend `name` can run here: {"available": bool, "why": plain words, ...}.

    GPU backends also report "gpu", "weights" (default model downloaded) and "model".
    """
    from storyreel.renderer.backend import GPU_BACKENDS

    if name == "previz":
        return {"available": True, "why": "runs on any CPU"}
    if name not in GPU_BACKENDS:
        return {"available": True, "why": "a plugin backend"}
    missing = [m for m in ("torch", "diffusers", "transformers") if not importlib.util.find_spec(m)]
    if missing:
        return {"available": False, "why": f"missing {', '.join(missing)}: pip install -e '.[gpu]'"}
    import torch

    from storyreel.renderer.backend import backend_class

    try:
        model = backend_class(name).DEFAULT_MODEL
    except (ImportError, AttributeError) as error:
        return {"available": False, "why": f"its module could not be loaded ({error})"}
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = isinstance(try_to_load_from_cache(model, "model_index.json"), str)
    except Exception:  # an odd cache must not break a listing
        cached = False
    gpu = torch.cuda.is_available()
    notes = []
    if not gpu:
        notes.append("no CUDA GPU (it would run on the CPU, very slowly)")
    if not cached:
        notes.append(f"{model} is not downloaded: hf download {model}")
    return {
        "available": gpu and cached,
        "gpu": gpu,
        "weights": cached,
        "model": model,
        "why": "; ".join(notes) or "ready",
    }


def ready_backends() -> list[str]:
    """Registered backends that can run here now (previz always can)."""
    from storyreel.renderer.backend import backend_names

    return [name for name in backend_names() if backend_availability(name)["available"]]
