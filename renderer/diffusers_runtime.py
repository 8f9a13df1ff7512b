"""One diffusers runtime, held by each diffusers backend (Wan, LTX-Video, CogVideoX).

A backend file says what is particular to its model: model-card constants, capabilities,
`adapt`, `check_request`, which pipeline class renders a request, the call's arguments and a
tiny model for tests. It holds a `DiffusersRuntime` (composition, not a base class) for the
rest:

- locating a model: a folder of the person's, or a hub id read from the local Hugging Face
  cache only. Nothing is downloaded unless the GPU setting `download = true` asks for it;
  `find_model` says from the disk alone what is wrong, for the front ends too.
- loading it once and keeping it warm: pipelines are kept by (model, pipeline class); another
  class over the same model is built from the loaded modules (nothing is read again, nothing
  recast), and one model is warm at a time (loading another frees the first).
- configuring it from `GpuSettings`: dtype, device or CPU offload, VAE tiling and slicing, the
  attention backend and cache hooks.
- calling it with a progress callback and a cancel check every step; after running out of GPU
  memory, retrying once with model offload (and the same seed).
- freeing it, and turning its output into (N, H, W, 3) uint8 frames.

A setting this machine or this model cannot use is skipped, never fatal: the take renders
without it, and a note such as "offload 'model' skipped: it needs a GPU" is logged as a
warning and listed in the result's metadata["gpu_notes"]. Skipping costs speed or memory;
refusing would cost the take and still leave the person to edit the settings file. The one
error is running out of memory with nothing left to try: it names the settings that help.

`torch`, `diffusers` and `huggingface_hub` are imported inside the functions that use them.
"""

from __future__ import annotations

import gc
import importlib.util
import inspect
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.gpu import GpuSettings, current_settings
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

log = logging.getLogger(__name__)

PACKAGES = ("torch", "diffusers", "transformers")
TRANSFORMERS = ("transformer", "transformer_2")  # Wan 2.2 A14B denoises with two experts
BLOCK_LISTS = ("blocks", "transformer_blocks", "single_transformer_blocks")
FIRST_BLOCK_THRESHOLD = 0.05  # diffusers' example value: a little quality for speed


@dataclass(frozen=True)
class ModelFolder:
    """A located model, before any weights load."""

    source: str  # the hub id or the folder's absolute path: said to people, keys the cache
    folder: str  # what from_pretrained reads: the folder, the cached snapshot, or the hub id
    index: dict[str, Any] | None  # model_index.json; None: a hub id still to be downloaded
    hub: bool  # a hub id, not a folder of the person's

    @property
    def class_name(self) -> str:
        """The pipeline class the model was saved from ("" when unknown)."""
        return str((self.index or {}).get("_class_name", ""))


@dataclass
class PipelineRun:
    """What one pipeline call gave: uint8 frames, timings and the runtime's metadata."""

    frames: np.ndarray
    timings: dict[str, float]
    metadata: dict[str, Any]

    def result(self, fps: int, **metadata: Any) -> RenderResult:
        """The take as a `RenderResult`, with the backend's own `metadata` added."""
        return RenderResult(
            self.frames, fps=fps, timings=self.timings, metadata={**self.metadata, **metadata}
        )


class _Unusable(Exception):
    """A setting this model or machine cannot take; its text is the whole reason."""


# Locating a model (the disk only, unless download = true) ------------------------------------


def looks_like_path(model: str) -> bool:
    """Whether `model` names a folder rather than a hub id ("org/name")."""
    return model.startswith(("/", ".", "~")) or model.count("/") != 1 or "\\" in model


def cached_file(model: str, name: str) -> Path | None:
    """File `name` of a model folder, or of a hub id in the local cache; never the network.

    Not `hf_hub_download(local_files_only=True)`: huggingface_hub 2.x still fetches a
    registry from the hub there, which hangs without network.
    """
    path = Path(model).expanduser()
    if path.exists() or looks_like_path(model):
        return path / name if (path / name).is_file() else None
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(model, name)
    except Exception:  # an odd cache, or an id the hub would refuse, reads as "not there"
        return None
    return Path(found) if isinstance(found, str) else None


def not_here(model: str, backend: str, error: BaseException | None = None) -> str:
    """Why a hub id cannot load, and how to get it."""
    why = f" ({type(error).__name__}: {error})" if error else ""
    return (
        f"the {backend} model {model} is not on this machine{why}: download it once with "
        f"`hf download {model}` (`huggingface-cli download {model}` before huggingface_hub "
        "1.0) where there is network, or set download = true in storyreel-gpu.toml, or pass "
        "--model /path/to/folder (storyreel dev tiny-models DIR makes a tiny test one)"
    )


def find_model(model: str, backend: str, default: str, download: bool = False) -> ModelFolder:
    """Where `model` is, read from the disk alone; a teaching error if it cannot be used.

    A folder must hold a diffusers pipeline (model_index.json). A hub id must be in the local
    Hugging Face cache (FileNotFoundError otherwise), unless `download`: then it is returned
    to be downloaded on loading. ValueError for a file, a folder that is not a pipeline, or a
    name that is neither a folder here nor a hub id.
    """
    get = f"`hf download {default}` on a machine with network"
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ValueError(
                f"the {backend} model {model} is a file, not a model folder: give a folder "
                f"made with save_pretrained or a hub id like {default} (get it with {get})"
            )
        if not (path / "model_index.json").is_file():
            raise ValueError(
                f"the {backend} model folder {model} has no model_index.json, so it is not a "
                f"diffusers pipeline: give a folder made with save_pretrained, or get {default} "
                f"with {get}"
            )
        folder = str(path.resolve())
        return ModelFolder(folder, folder, _model_index(path / "model_index.json"), hub=False)
    if looks_like_path(model):
        raise ValueError(
            f"the {backend} model {model} is neither a folder on this machine nor a hub id like "
            f"{default}: give a model folder, or get {default} with {get}"
        )
    index = cached_file(model, "model_index.json")
    if index is not None:  # with download on, the hub id itself completes a partial download
        return ModelFolder(
            model, model if download else str(index.parent), _model_index(index), True
        )
    if download:
        return ModelFolder(model, model, None, hub=True)
    raise FileNotFoundError(not_here(model, backend))


def _model_index(path: Path) -> dict[str, Any]:
    try:
        index = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(
            f"{path} cannot be read as a diffusers model_index.json: {error}"
        ) from error
    if not isinstance(index, dict):
        raise ValueError(f"{path} is not a diffusers model_index.json (not a JSON object)")
    return index


# The runtime --------------------------------------------------------------------------------


class DiffusersRuntime:
    """The warm pipelines of one backend and everything about them that is not model-specific.

    `loads` counts weight loads (`from_pretrained` calls); `pipelines` maps (model source,
    pipeline class name) to the warm pipeline; `notes` are the settings skipped since the
    last load; `lock` serialises renders (a backend's `render` holds it).
    """

    def __init__(
        self,
        backend: str,
        label: str,
        default_model: str,
        settings: GpuSettings | None = None,
        *,
        packages: tuple[str, ...] = (),
        full_precision: tuple[str, ...] = (),
    ) -> None:
        """`settings` None reads the project's storyreel-gpu.toml, as the registry's factory
        does; `packages` are needed beyond torch, diffusers and transformers; components named
        in `full_precision` load in float32 whatever the dtype (Wan's VAE)."""
        self.backend, self.label, self.default_model = backend, label, default_model
        self.settings = settings if settings is not None else current_settings()
        self.packages = PACKAGES + packages
        self.full_precision = full_precision
        self.loads = 0
        self.pipelines: dict[tuple[str, str], Any] = {}
        self.notes: list[str] = []
        self.offload = self.settings.offload
        self.lock = threading.RLock()
        self._offload_after_oom = False
        self._hooked: Any = None  # the pipeline whose offload hooks are installed
        self._running: Any = None  # the pipeline being called (for the PAB timestep callback)
        self._fresh = False  # whether the last `pipeline()` read weights

    @property
    def device(self) -> str:
        return self.settings.resolved_device()

    def require(self) -> None:
        """An ImportError naming what is missing (nothing heavy is imported)."""
        missing = [name for name in self.packages if importlib.util.find_spec(name) is None]
        if missing:
            raise ImportError(
                f"the {self.backend} backend needs {', '.join(missing)}: pip install -e "
                f"'.[gpu]' (or pip install {' '.join(self.packages)} accelerate)"
            )

    def model_for(self, request: RenderRequest) -> str:
        """The model a request renders with: options["model"], then the settings' models,
        then the backend's default."""
        return (
            request.options.get("model")
            or self.settings.models.get(self.backend)
            or self.default_model
        )

    def locate(self, model: str) -> ModelFolder:
        """`find_model` with this backend's settings; with download on, a hub id's
        model_index.json is fetched now, so its pipeline class is known before loading."""
        found = find_model(model, self.backend, self.default_model, self.settings.download)
        if found.index is not None:
            return found
        from huggingface_hub import hf_hub_download

        log.warning("%s: downloading %s (download = true)", self.label, model)
        try:
            index = Path(hf_hub_download(model, "model_index.json"))
        except Exception as error:
            raise FileNotFoundError(not_here(model, self.backend, error)) from error
        return ModelFolder(model, model, _model_index(index), hub=True)

    def check_family(self, model: ModelFolder, accepted: Collection[str]) -> None:
        """A ValueError when `model` was saved from a pipeline class this backend cannot load."""
        name = model.class_name
        if name not in accepted:
            raise ValueError(
                f"the {self.backend} model {model.source} is a "
                f"{name or 'pipeline of unknown class'} folder, not a {self.label} pipeline "
                f"({', '.join(sorted(accepted))}): pick the backend of that family or pass a "
                f"{self.label} model like {self.default_model}"
            )

    # Loading, sharing and configuring -----------------------------------------------------------

    def prepare(
        self, model: str, class_name: str, accepted: Collection[str]
    ) -> tuple[ModelFolder, Any]:
        """Locate `model`, refuse one of another family, and give its warm `class_name` pipeline."""
        found = self.locate(model)
        self.check_family(found, accepted)
        return found, self.pipeline(found, class_name)

    def pipeline(self, model: ModelFolder, class_name: str, load_as: str | None = None) -> Any:
        """The warm `class_name` pipeline of `model`, loading it on first use.

        Another class over a warm model shares its modules; otherwise any other model is
        freed first and `model` loads as `load_as` (default `class_name`: the class its
        folder was saved from, when the asked one needs building from it).
        """
        self._fresh = False
        key = (model.source, class_name)
        if key in self.pipelines:
            return self.pipelines[key]
        siblings = [pipe for (source, _), pipe in self.pipelines.items() if source == model.source]
        if siblings:
            pipe = _share(class_name, siblings[0])
        else:
            if self.pipelines:  # one model warm at a time: free the other before loading
                self.unload()
            base = load_as or class_name
            pipe = self._load(model, base)
            self._configure(pipe, model)
            self.pipelines[(model.source, base)] = pipe
            if base != class_name:
                pipe = _share(class_name, pipe)
        self.pipelines[key] = pipe
        return pipe

    def _load(self, model: ModelFolder, class_name: str) -> Any:
        import diffusers

        dtype: Any = self.settings.torch_dtype()
        if self.full_precision:
            import torch

            dtype = {"default": dtype, **dict.fromkeys(self.full_precision, torch.float32)}
        download = self.settings.download
        try:
            pipe = getattr(diffusers, class_name).from_pretrained(
                model.folder, dtype=dtype, local_files_only=not download
            )
        except Exception as error:
            if model.hub and not download:  # a partial download: `hf download` completes it
                raise FileNotFoundError(not_here(model.source, self.backend, error)) from error
            if isinstance(error, OSError) and not model.hub:
                raise OSError(
                    f"the {self.backend} model folder {model.source} could not be loaded "
                    f"({error}): it should be a folder made with save_pretrained"
                ) from error
            raise
        self.loads += 1
        self._fresh = True
        pipe.set_progress_bar_config(disable=True)  # progress goes through our callback
        return pipe

    def _configure(self, pipe: Any, model: ModelFolder) -> None:
        """Apply the GPU settings to a freshly loaded pipeline; what cannot apply is noted."""
        self.notes = []
        settings, device = self.settings, self.device
        if self.offload != "none":
            if device == "cpu":
                self._skip(f"offload {self.offload!r}", "it needs a GPU")
                self.offload = "none"
            elif importlib.util.find_spec("accelerate") is None:
                self._skip(
                    f"offload {self.offload!r}", "it needs accelerate: pip install accelerate"
                )
                self.offload = "none"
        if self.offload == "none":
            self._move(pipe, model, device)
        if settings.vae_tiling:
            self._guard("vae_tiling", lambda: pipe.vae.enable_tiling())
        if settings.vae_slicing:
            self._guard("vae_slicing", lambda: pipe.vae.enable_slicing())
        transformers = {id(m): m for n in TRANSFORMERS if (m := getattr(pipe, n, None)) is not None}
        for transformer in transformers.values():
            if settings.attention:
                self._guard(
                    f"attention {settings.attention!r}", lambda t=transformer: self._attention(t)
                )
            if settings.cache:
                self._guard(f"cache {settings.cache!r}", lambda t=transformer: self._cache(t))

    def _move(self, pipe: Any, model: ModelFolder, device: str) -> None:
        """`pipe.to(device)`; weights that alone overflow the GPU fall back to model offload."""
        try:
            pipe.to(device)
            return
        except Exception as error:
            if not is_out_of_memory(error):
                raise
            if not self._may_offload_after_oom():
                raise RuntimeError(
                    f"the {self.backend} model {model.source} does not fit in GPU memory on "
                    f"{device}: {oom_advice('none')}"
                ) from error
        self._note("the model did not fit in GPU memory: using offload 'model'")
        self._use_offload_after_oom()
        pipe.to("cpu")
        free_memory()

    def _attention(self, transformer: Any) -> None:
        name = self.settings.attention
        if name.endswith("_hub") and not self.settings.download:
            raise _Unusable(
                "it fetches a kernel from the hub, and storyreel downloads nothing unless "
                "download = true"
            )
        transformer.set_attention_backend(name)

    def _cache(self, transformer: Any) -> None:
        from diffusers import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

        if self.settings.cache == "first_block":
            blocks = sum(len(getattr(transformer, name, None) or ()) for name in BLOCK_LISTS)
            if blocks < 2:
                raise _Unusable(
                    f"first-block cache needs 2 or more blocks, this model has {blocks}"
                )
            config: Any = FirstBlockCacheConfig(threshold=FIRST_BLOCK_THRESHOLD)
        else:  # "pab": GpuSettings allows nothing else
            config = PyramidAttentionBroadcastConfig(
                spatial_attention_block_skip_range=2,
                spatial_attention_timestep_skip_range=(100, 800),
                current_timestep_callback=self._current_timestep,
            )
        transformer.enable_cache(config)

    def _current_timestep(self) -> Any:
        return self._running.current_timestep if self._running is not None else None

    def _guard(self, setting: str, apply: Callable[[], None]) -> None:
        try:
            apply()
        except _Unusable as error:
            self._skip(setting, str(error))
        except Exception as error:  # a setting the model cannot take must not stop a render
            self._skip(setting, f"{type(error).__name__}: {error}")

    def _skip(self, setting: str, reason: str) -> None:
        self._note(f"{setting} skipped: {reason}")

    def _note(self, note: str) -> None:
        log.warning("%s: %s", self.label, note)
        self.notes.append(note)

    # Calling -----------------------------------------------------------------------------------

    def call(
        self,
        pipe: Any,
        arguments: dict[str, Any],
        request: RenderRequest,
        steps: int,
        progress: ProgressCallback,
        cancel: CancelToken,
        started: float,
    ) -> PipelineRun:
        """Denoise `steps` steps with progress and a cancel check every step, decode, convert.

        `arguments` are the model's own (prompt, size, frames, guidance, conditioning); the
        runtime adds the steps, a generator seeded with `request.seed`, numpy output and the
        step callback. `started` is when the render began (timings["load_s"] runs from it).
        """
        began = time.perf_counter()
        last_step = [began]

        def on_step_end(pipeline: Any, step: int, timestep: Any, tensors: dict) -> dict:
            last_step[0] = time.perf_counter()
            progress(step + 1, steps, f"denoising step {step + 1}/{steps}")
            cancel.check()  # raises RenderCancelled: no more steps and no VAE decode
            return {}

        def on_step(step: int, timestep: Any, latents: Any) -> None:
            on_step_end(pipe, step, timestep, {})

        # older pipelines (PixArt) take the per-step callback the old way, and would swallow
        # callback_on_step_end in their **kwargs: no progress and no cancel
        accepted = inspect.signature(type(pipe).__call__).parameters
        if "callback_on_step_end" in accepted or "callback" not in accepted:
            callback: dict[str, Any] = {"callback_on_step_end": on_step_end}
        else:
            callback = {"callback": on_step, "callback_steps": 1}

        def attempt() -> Any:
            import torch

            # seeded anew for each attempt, so a retried take draws the same noise
            generator = torch.Generator(self.device).manual_seed(request.seed)
            return pipe(
                **arguments,
                num_inference_steps=steps,
                generator=generator,
                output_type="np",
                **callback,
            )

        output, retried = self._run(pipe, attempt, request)
        cancel.check()
        # a video pipeline gives frames; a text-to-image one (keyframe stills) images
        frames = to_uint8(output.frames if hasattr(output, "frames") else output.images)
        done = time.perf_counter()
        timings = {
            "load_s": began - started,
            "denoise_s": last_step[0] - began,
            "decode_s": done - last_step[0],
            "total_s": done - started,
        }
        metadata = {
            "backend": self.backend,
            "pipeline": type(pipe).__name__,
            "steps": steps,
            "guidance": arguments.get("guidance_scale"),
            "seed": request.seed,
            "device": self.device,
            "dtype": str(self.settings.torch_dtype()).removeprefix("torch."),
            "offload": self.offload,
            "loaded": self._fresh,
            "oom_retry": retried,
            "gpu_notes": list(self.notes),
        }
        return PipelineRun(frames, timings, metadata)

    def _run(
        self, pipe: Any, attempt: Callable[[], Any], request: RenderRequest
    ) -> tuple[Any, bool]:
        """Call once; after running out of GPU memory, retry once with model offload."""
        self._running = pipe
        try:
            self._place(pipe)
            try:
                return attempt(), False
            except Exception as error:
                if not is_out_of_memory(error):
                    raise
                if not self._may_offload_after_oom():
                    raise self._oom_error(request) from error
            # retried outside the handler, so the failed call's tensors are freed first
            self._note("ran out of GPU memory: retried with offload 'model'")
            self._use_offload_after_oom()
            self._place(pipe)
            free_memory()
            try:
                return attempt(), True
            except Exception as again:
                if is_out_of_memory(again):
                    raise self._oom_error(request) from again
                raise
        finally:
            self._running = None

    def _place(self, pipe: Any) -> None:
        """Install CPU-offload hooks for `pipe` (pipelines sharing modules take turns)."""
        if self.offload == "none" or self._hooked is pipe:
            return
        if self.offload == "sequential":
            pipe.enable_sequential_cpu_offload(device=self.device)
        else:
            pipe.enable_model_cpu_offload(device=self.device)
        self._hooked = pipe

    def _may_offload_after_oom(self) -> bool:
        return (
            self.settings.retry_oom_with_offload
            and self.offload == "none"
            and importlib.util.find_spec("accelerate") is not None
        )

    def _use_offload_after_oom(self) -> None:
        self.offload = "model"
        self._offload_after_oom = True  # kept after unload: the model did not fit

    def _oom_error(self, request: RenderRequest) -> RuntimeError:
        size = f"{request.width}x{request.height}x{request.frames}"
        return RuntimeError(
            f"{self.label} ran out of GPU memory rendering {size} with offload "
            f"{self.offload!r}: {oom_advice(self.offload)}"
        )

    # Freeing -----------------------------------------------------------------------------------

    def unload(self) -> None:
        """Drop every warm pipeline and free the memory they held."""
        self.pipelines.clear()
        self._hooked = self._running = None
        self.offload = "model" if self._offload_after_oom else self.settings.offload
        free_memory()


def _share(class_name: str, base: Any) -> Any:
    """A `class_name` pipeline over `base`'s loaded modules: nothing is read or copied.

    Not `from_pipe`: it ends with `.to(dtype)` (float32 unless given), which would recast
    the shared modules of a bf16 model, and Wan's float32 VAE with them.
    """
    import diffusers

    cls = getattr(diffusers, class_name)
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = {name: module for name, module in base.components.items() if name in accepted}
    for name in accepted:  # settings such as Wan's expand_timesteps and boundary_ratio
        if name not in kwargs and name != "self" and name in base.config:
            kwargs[name] = base.config[name]
    pipe = cls(**kwargs)
    pipe.set_progress_bar_config(disable=True)
    return pipe


# Helpers the diffusers backends share --------------------------------------------------------


def is_out_of_memory(error: BaseException) -> bool:
    """Whether `error` is the GPU running out of memory."""
    torch = sys.modules.get("torch")
    oom = getattr(torch, "OutOfMemoryError", None) or getattr(
        getattr(torch, "cuda", None), "OutOfMemoryError", None
    )
    if oom is not None and isinstance(error, oom):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def oom_advice(offload: str) -> str:
    """Which GPU settings would help after running out of memory with `offload`."""
    steps = {"none": '"model" (or "sequential")', "model": '"sequential"'}
    advice = (
        f"set offload = {steps[offload]} in storyreel-gpu.toml (or STORYREEL_GPU_OFFLOAD) and/or "
        if offload in steps
        else ""
    )
    return f"{advice}vae_tiling = true; fewer frames or a smaller size also help"


def free_memory() -> None:
    """Collect garbage and return cached GPU memory to the driver."""
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def to_uint8(frames: Any) -> np.ndarray:
    """Pipeline output, (batch, N, H, W, 3) or (N, H, W, 3) floats in [0, 1] -> uint8 frames."""
    video = np.asarray(frames[0] if len(np.shape(frames)) == 5 else frames, dtype=np.float32)
    return np.clip(np.rint(video * 255.0), 0, 255).astype(np.uint8)


def first_frame_image(request: RenderRequest) -> Any:
    """The first frame as an RGB image of the request's size (centre-cropped, not stretched)."""
    from PIL import Image, ImageOps

    with Image.open(request.first_frame) as image:
        rgb = image.convert("RGB")
    return ImageOps.fit(rgb, (request.width, request.height), Image.Resampling.LANCZOS)


def snap_frames(frames: int, step: int, maximum: int) -> int:
    """The nearest count of the form step*k+1 (k >= 1, ties go up), at most `maximum`."""
    k = max(1, int((frames - 1) / step + 0.5))
    return min(k * step + 1, (maximum - 1) // step * step + 1)


def video_arguments(request: RenderRequest, default_guidance: float) -> dict[str, Any]:
    """The arguments every diffusers video pipeline takes, from the request: the prompts, the
    size, the frame count, and the guidance (options["guidance"], else the model's default)."""
    return {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "height": request.height,
        "width": request.width,
        "num_frames": request.frames,
        "guidance_scale": float(request.options.get("guidance", default_guidance)),
    }


def check_common(request: RenderRequest, model_keys: tuple[str, ...] = ("model",)) -> None:
    """Rules every diffusers backend shares: the first frame exists, the options are sane."""
    if request.first_frame and not Path(request.first_frame).is_file():
        raise ValueError(
            f"`first_frame` must be an existing image file, got {request.first_frame!r}"
        )
    options = request.options
    steps = options.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"`options['steps']` must be a whole number >= 1, got {steps!r}")
    guidance = options.get("guidance", 1.0)
    if isinstance(guidance, bool) or not isinstance(guidance, int | float) or guidance < 0:
        raise ValueError(f"`options['guidance']` must be a number >= 0, got {guidance!r}")
    for key in model_keys:
        model = options.get(key)
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise ValueError(f"`options['{key}']` must be a hub id or a folder, got {model!r}")


def dropped_inputs(request: RenderRequest, label: str) -> list[dict[str, str]]:
    """For a model conditioned by a first frame only: every other input, with the reason."""
    reason = f"{label} takes no reference images, videos or sound (only a first frame)"
    items = [
        {"path": ref.path, "kind": ref.kind, "role": ref.role, "reason": reason}
        for ref in request.references
    ]
    for path, kind, role in (
        (request.motion_video, "video", "motion"),
        (request.audio, "audio", "sound"),
    ):
        if path:
            items.append({"path": path, "kind": kind, "role": role, "reason": reason})
    return items


def tiny_text_encoder(umt5: bool = False) -> tuple[Any, Any]:
    """The tokenizer and random-weight T5 (or UMT5) encoder of the tiny test pipelines."""
    from transformers import ByT5Tokenizer, T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    config, model = (UMT5Config, UMT5EncoderModel) if umt5 else (T5Config, T5EncoderModel)
    encoder = model(
        config(
            vocab_size=384,
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            dropout_rate=0.0,
            is_encoder_decoder=False,
        )
    )
    return ByT5Tokenizer(), encoder


def one_frame(backend: Any, request: RenderRequest, progress: Any, cancel: CancelToken) -> Any:
    """A diffusers backend's keyframe still (tools/keyframes.py): `request` adapted to the
    backend's rules (`backend.adapt`: size, references), made one frame long (1 is both 4k+1
    and 8k+1) and rendered by `backend.render`, so the still goes through the same pipeline
    choice, prompt, references, first frame, seed, progress and cancel as a take. Returns
    that frame as (H, W, 3) uint8 at the request's size: when the model's size rule changed
    it (e.g. 320x180 -> 320x176 for Wan), the frame is resized back to what was asked."""
    adapted, _warnings = backend.adapt(request)
    result = backend.render(adapted.model_copy(update={"frames": 1}), progress, cancel)
    return still_at_size(result.frames[0], request)


def still_at_size(frame: Any, request: RenderRequest) -> np.ndarray:
    """A still (H, W, 3) uint8 at the request's size: resized back (Lanczos) when a model's
    size rule made it another size."""
    frame = np.ascontiguousarray(frame)
    if frame.shape[:2] != (request.height, request.width):
        from PIL import Image

        picture = Image.fromarray(frame).resize(
            (request.width, request.height), Image.Resampling.LANCZOS
        )
        frame = np.asarray(picture.convert("RGB"), dtype=np.uint8)
    return frame
