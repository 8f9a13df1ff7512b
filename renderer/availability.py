"""Which renderers can run on this machine, and why the others cannot."""

from __future__ import annotations

import importlib.util
from pathlib import Path
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
    from storyreel.renderer.diffusers_runtime import cached_file

    cached = cached_file(model, "model_index.json") is not None
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


def model_problem(name: str, model: str | None, project_root: Path | None = None) -> str | None:
    """Why backend `name` cannot load `model` on this machine, or None; checked on disk only.

    `model` None means the configured one (the project's storyreel-gpu.toml, the user's,
    then the backend's default). A folder must hold a diffusers pipeline
    (model_index.json); a hub id must be in the local Hugging Face cache, unless the GPU
    setting `download = true` lets it download. The network is not asked: the same
    `find_model` the backends load through says what is missing, at once.
    """
    from storyreel.renderer.backend import GPU_BACKENDS, backend_class
    from storyreel.renderer.gpu import load_settings

    if name not in GPU_BACKENDS:
        return None
    missing = [m for m in ("torch", "diffusers", "transformers") if not importlib.util.find_spec(m)]
    if missing:
        return f"the {name} backend needs {', '.join(missing)}: pip install -e '.[gpu]'"
    from storyreel.renderer.diffusers_runtime import find_model

    default = backend_class(name).DEFAULT_MODEL
    try:
        settings = load_settings(project_root)
        find_model(model or settings.models.get(name) or default, name, default, settings.download)
    except (ValueError, OSError) as error:
        return str(error)
    return None


def ready_backends() -> list[str]:
    """Registered backends that can run here now (previz always can)."""
    from storyreel.renderer.backend import backend_names

    return [name for name in backend_names() if backend_availability(name)["available"]]
