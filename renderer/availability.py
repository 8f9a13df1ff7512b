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


def model_problem(name: str, model: str | None, project_root: Path | None = None) -> str | None:
    """Why backend `name` cannot load `model` on this machine, or None; checked on disk only.

    `model` None means the configured one (the project's storyreel-gpu.toml, the user's,
    then the backend's default). A folder must hold a diffusers pipeline
    (model_index.json); a hub id must be in the local Hugging Face cache. Nothing is
    downloaded and the network is not asked, so a missing model is said at once.
    """
    from storyreel.renderer.backend import GPU_BACKENDS, backend_class
    from storyreel.renderer.gpu import load_settings

    if name not in GPU_BACKENDS:
        return None
    missing = [m for m in ("torch", "diffusers", "transformers") if not importlib.util.find_spec(m)]
    if missing:
        return f"the {name} backend needs {', '.join(missing)}: pip install -e '.[gpu]'"
    default = backend_class(name).DEFAULT_MODEL
    if model is None:
        try:
            model = load_settings(project_root).models.get(name) or default
        except ValueError as error:
            return str(error)
    get = f"`hf download {default}` on a machine with network"
    folder = Path(model).expanduser()
    if folder.exists():
        if not folder.is_dir():
            return (
                f"the {name} model {model} is a file, not a model folder: give a folder made "
                f"with save_pretrained or a hub id like {default} (get it with {get})"
            )
        if not (folder / "model_index.json").is_file():
            return (
                f"the {name} model folder {model} has no model_index.json, so it is not a "
                f"diffusers pipeline: give a folder made with save_pretrained, or get "
                f"{default} with {get}"
            )
        return None
    if model.startswith(("/", ".", "~")) or model.count("/") != 1:
        return (
            f"the {name} model {model} is neither a folder on this machine nor a hub id like "
            f"{default}: give a model folder, or get {default} with {get}"
        )
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = isinstance(try_to_load_from_cache(model, "model_index.json"), str)
    except Exception:  # an odd cache reads as "not there"
        cached = False
    if cached:
        return None
    return (
        f"the {name} model {model} is not on this machine: download it once with "
        f"`hf download {model}` (with network), or pass --model /path/to/folder "
        "(storyreel dev tiny-models DIR makes a tiny test one)"
    )


def ready_backends() -> list[str]:
    """Registered backends that can run here now (previz always can)."""
    from storyreel.renderer.backend import backend_names

    return [name for name in backend_names() if backend_availability(name)["available"]]
