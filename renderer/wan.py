"""The Wan 2.x backend: text-to-video, first-frame continuation and reference images.

One model does all three by default: Wan2.1-VACE-1.3B (diffusers format). Its
`WanVACEPipeline` takes a prompt alone (text-to-video), a conditioning video plus
a mask (the first frame kept, the rest generated: continuity from the previous
shot) and up to a few reference images (subjects, locations) in the same call.

Model card facts (Wan2.1-T2V-1.3B, shared by the 1.3B VACE model): 832x480,
81 frames at 16 fps (about 5 s), guidance 5.0, flow shift 3.0 at 480p; "a
5-second 480P video on an RTX 4090 in about 4 minutes" without optimisations,
which is where `gpu_seconds_per_frame` = 240 s / 81 frames ~ 3 s comes from
(the card's 50 steps; our default of 30 steps is faster, VACE conditioning a
little slower). Frame counts are 4k+1 because the VAE compresses time by 4.

Which pipeline renders a request depends on the model folder's
`model_index.json`:

    WanVACEPipeline          everything: text only; first_frame as `video=` + `mask=`;
                             subject/location images as `reference_images=`
    WanPipeline              text only; a first frame only when the model was trained
                             for it (`expand_timesteps`, Wan2.2-TI2V-5B), through
                             `WanImageToVideoPipeline` built on the same components
    WanImageToVideoPipeline  needs a first frame (`image=`)

Reference images a model cannot use are dropped and listed in
`metadata["dropped"]`; a first frame it cannot use is an error, because
continuity would silently break.

Request options read here: `model` (hub id or folder; else GpuSettings.models["wan"],
else DEFAULT_MODEL), `steps` (30), `guidance` (5.0), `allow_large` (permit more
than the card's 832x480 area and 81 frames).

Pipelines stay warm in a dict keyed by (model, pipeline class); a second kind of
request on the same model builds its pipeline from the loaded modules, so the
weights are read once (`loads` counts `from_pretrained` calls). `torch`,
`diffusers` and `transformers` are imported inside the functions that need them.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import math
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.backend import Capabilities
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    ReferenceInput,
    RenderRequest,
    RenderResult,
)
from storyreel.renderer.video_io import oversized_image

MODEL_FPS = 16
CARD_SIZE = (832, 480)
CARD_FRAMES = 81
SIZE_MULTIPLE = 16  # VAE spatial factor 8 x transformer patch 2
DEFAULT_STEPS = 30
DEFAULT_GUIDANCE = 5.0
REFERENCE_ROLES = ("subject", "location")

_VACE = "WanVACEPipeline"
_T2V = "WanPipeline"
_I2V = "WanImageToVideoPipeline"
_REQUIRED_PACKAGES = ("torch", "diffusers", "transformers", "ftfy")


@dataclass(frozen=True)
class _ModelInfo:
    """What a model folder is, read from its model_index.json before any weights load."""

    source: str  # the hub id or the absolute folder path, as said to people
    folder: str  # what from_pretrained reads: the folder, or the hub id's cached snapshot
    family: str  # _VACE, _T2V or _I2V: the class the folder was saved from
    starts_from_frame: bool  # VACE, I2V, or T2V trained with expand_timesteps (TI2V)


class WanBackend:
    """Wan 2.x through diffusers (see the module docstring for what runs when)."""

    name = "wan"
    DEFAULT_MODEL = "Wan-AI/Wan2.1-VACE-1.3B-diffusers"
    capabilities = Capabilities(
        text_to_video=True,
        image_to_video=True,
        max_reference_images=3,
        max_reference_videos=0,
        max_audio=0,
        frame_rule="4k+1",
        max_frames=CARD_FRAMES,
        resolutions=[(832, 480), (480, 832)],
        fps=[MODEL_FPS],
        needs_gpu=True,
        deterministic=True,
        gpu_seconds_per_frame=3.0,  # model card: 5 s of 480p (81 frames) in ~4 min on a 4090
    )

    def __init__(self, settings: GpuSettings | None = None) -> None:
        self.settings = settings or GpuSettings()
        self.loads = 0
        self._pipelines: dict[tuple[str, str], Any] = {}
        self._models: dict[str, _ModelInfo] = {}
        self._active: dict[str, str] = {}  # model -> pipeline class holding the offload hooks
        self._prepared: set[int] = set()  # id() of transformers with attention/cache applied
        self._offload_after_oom = False
        self._running: Any = None  # the pipeline being called (for the PAB timestep callback)
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------

    def load(self) -> None:
        """Check that the packages are installed; weights load on the first render of a model."""
        missing = [name for name in _REQUIRED_PACKAGES if importlib.util.find_spec(name) is None]
        if missing:
            raise ImportError(
                f"the wan backend needs {', '.join(missing)}: "
                "pip install torch diffusers transformers accelerate ftfy"
            )

    def unload(self) -> None:
        """Drop every pipeline and free the GPU memory they held."""
        self._pipelines.clear()
        self._active.clear()
        self._prepared.clear()
        self._running = None
        import gc

        gc.collect()
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

    # -- requests ------------------------------------------------------------------------------

    def resolve_model(self, request: RenderRequest) -> str:
        """The model to use: options["model"], else GpuSettings.models["wan"], else the default."""
        return request.options.get("model") or self.settings.models.get("wan") or self.DEFAULT_MODEL

    def adapt(self, request: RenderRequest) -> tuple[RenderRequest, list[str]]:
        """The request snapped to Wan's rules, with a plain warning for every change.

        Duration is kept: frames = round(duration_s * 16) snapped to the nearest 4k+1 (at
        most 81 unless options["allow_large"]). Width and height become multiples of 16 with
        the aspect ratio kept, scaled down to the card's 832x480 area unless "allow_large".
        Reference videos, audio and images beyond the third are dropped.
        """
        warnings: list[str] = []
        update: dict[str, Any] = {"options": dict(request.options)}  # the copy owns its options
        allow_large = bool(request.options.get("allow_large"))

        frames = _snap_4k1(round(request.duration_s * MODEL_FPS))
        if not allow_large and frames > CARD_FRAMES:
            warnings.append(
                f"Wan makes at most {CARD_FRAMES} frames ({CARD_FRAMES / MODEL_FPS:.1f} s): "
                f"{request.duration_s:g} s was cut to {CARD_FRAMES} frames; split the shot "
                'for more, or set options["allow_large"]'
            )
            frames = CARD_FRAMES
        elif frames != request.frames or request.fps != MODEL_FPS:
            warnings.append(
                f"Wan makes 4k+1 frames at {MODEL_FPS} fps: {request.duration_s:g} s "
                f"({request.frames} frames at {request.fps} fps) became {frames} frames"
            )
        update["frames"], update["fps"] = frames, MODEL_FPS

        width, height = _snap_size(request.width, request.height, allow_large)
        if (width, height) != (request.width, request.height):
            limit = "" if allow_large else f" within the {CARD_SIZE[0]}x{CARD_SIZE[1]} area"
            warnings.append(
                f"Wan needs sizes in multiples of {SIZE_MULTIPLE}{limit}: "
                f"{request.width}x{request.height} became {width}x{height}"
            )
        update["width"], update["height"] = width, height

        kept: list[ReferenceInput] = []
        for ref in request.references:
            label = ref.handle or Path(ref.path).name
            if ref.kind != "image":
                warnings.append(f"Wan takes no {ref.kind} references: {label} was left out")
            elif len(kept) >= self.capabilities.max_reference_images:
                warnings.append(
                    f"Wan takes at most {self.capabilities.max_reference_images} reference "
                    f"images: {label} was left out"
                )
            else:
                kept.append(ref)
        update["references"] = kept
        for field_name in ("motion_video", "audio"):
            if getattr(request, field_name):
                warnings.append(f"Wan takes no {field_name.replace('_', ' ')}: it was left out")
                update[field_name] = None
        return request.model_copy(update=update), warnings

    def check_request(self, request: RenderRequest) -> None:
        """Raise ValueError naming the field, the rule and the value; call `adapt` first."""
        allow_large = bool(request.options.get("allow_large"))
        hint = "; WanBackend.adapt() snaps a request to these rules"
        if request.frames % 4 != 1:
            raise ValueError(
                f"`frames` must be 4k+1 for Wan (e.g. 65 or 81), got {request.frames}{hint}"
            )
        if request.frames > CARD_FRAMES and not allow_large:
            raise ValueError(
                f"`frames` must be at most {CARD_FRAMES} for Wan (the model card length), got "
                f'{request.frames}; split the shot or set options["allow_large"]'
            )
        if request.fps != MODEL_FPS:
            raise ValueError(f"`fps` must be {MODEL_FPS} for Wan, got {request.fps}{hint}")
        for field_name in ("width", "height"):
            value = getattr(request, field_name)
            if value % SIZE_MULTIPLE:
                raise ValueError(
                    f"`{field_name}` must be a multiple of {SIZE_MULTIPLE} for Wan, "
                    f"got {value}{hint}"
                )
        area, card_area = request.width * request.height, CARD_SIZE[0] * CARD_SIZE[1]
        if area > card_area and not allow_large:
            raise ValueError(
                f"`width` x `height` must be at most {CARD_SIZE[0]}x{CARD_SIZE[1]} pixels "
                f"({card_area}) for Wan, got {request.width}x{request.height}; set "
                'options["allow_large"] to go beyond the model card'
            )
        if request.first_frame and not Path(request.first_frame).is_file():
            raise ValueError(f"`first_frame` must be an image file, got {request.first_frame!r}")
        images = 0
        for ref in request.references:
            if ref.kind != "image":
                raise ValueError(
                    f"`references` may hold images only for Wan, got a {ref.kind} ({ref.path})"
                )
            if not Path(ref.path).is_file():
                raise ValueError(f"`references` path must be an image file, got {ref.path!r}")
            too_large = oversized_image(Path(ref.path))
            if too_large is not None:  # never decoded: it could take gigabytes
                raise ValueError(f"`references` image {ref.path} is {too_large}")
            images += 1
        if images > self.capabilities.max_reference_images:
            raise ValueError(
                f"`references` may hold at most {self.capabilities.max_reference_images} images "
                f"for Wan, got {images}"
            )
        for field_name in ("motion_video", "audio"):
            if getattr(request, field_name):
                raise ValueError(
                    f"`{field_name}` is not supported by Wan, got {getattr(request, field_name)!r}"
                )
        options = request.options
        steps = options.get("steps", DEFAULT_STEPS)
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f'`options["steps"]` must be a whole number >= 1, got {steps!r}')
        guidance = options.get("guidance", DEFAULT_GUIDANCE)
        if not isinstance(guidance, int | float) or isinstance(guidance, bool) or guidance < 0:
            raise ValueError(f'`options["guidance"]` must be a number >= 0, got {guidance!r}')
        model = options.get("model")
        if model is not None and not (isinstance(model, str) and model.strip()):
            raise ValueError(f'`options["model"]` must be a hub id or a folder path, got {model!r}')

    # -- rendering -----------------------------------------------------------------------------

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        """Render one take into memory: (frames, H, W, 3) uint8 at 16 fps."""
        with self._lock:
            return self._render(request, progress, cancel)

    def _render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        started = time.perf_counter()
        # 1. check inputs: the request, then what this model can do with it
        self.check_request(request)
        cancel.check()
        info = self._model_info(self.resolve_model(request))
        kind, dropped = self._plan(info, request)
        # 2. prepare: the warm pipeline and its inputs
        loads_before = self.loads
        pipe = self._pipeline(info, kind)
        _check_positions(pipe, info, request)
        loaded = time.perf_counter()
        steps = int(request.options.get("steps", DEFAULT_STEPS))
        conditioning, mode, used = self._conditioning(kind, request)
        # 3. the denoising loop: progress and a cancel check every step
        oom_retry = False
        try:
            output = self._call(pipe, request, steps, conditioning, progress, cancel)
        except Exception as error:
            if not _is_out_of_memory(error):
                raise
            can_retry = self.settings.retry_oom_with_offload and self._offload() == "none"
            if not (can_retry and importlib.util.find_spec("accelerate") is not None):
                raise self._out_of_memory_error(request) from error
            oom_retry = True
            self._offload_after_oom = True
            _empty_cuda_cache()
            pipe.enable_model_cpu_offload(device=self.settings.resolved_device())
            self._active[info.source] = kind
            try:
                output = self._call(pipe, request, steps, conditioning, progress, cancel)
            except Exception as again:
                if _is_out_of_memory(again):
                    raise self._out_of_memory_error(request) from again
                raise
        cancel.check()
        denoised = time.perf_counter()
        # 4. decode (the pipeline decoded with its VAE; here to uint8)
        frames = np.asarray(output.frames[0], dtype=np.float32)
        frames = (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)
        done = time.perf_counter()
        # 5. a typed result
        timings = {
            "load_s": loaded - started,
            "denoise_s": denoised - loaded,
            "convert_s": done - denoised,
            "s_per_frame": (done - started) / max(len(frames), 1),
        }
        metadata = {
            "model": info.source,
            "pipeline": kind,
            "mode": mode,
            "dropped": dropped,
            "references_used": used,
            "first_frame": "first_frame" in mode,
            "steps": steps,
            "guidance": float(request.options.get("guidance", DEFAULT_GUIDANCE)),
            "seed": request.seed,
            "loaded_weights": self.loads > loads_before,
            "device": self.settings.resolved_device(),
            "offload": self._offload(),
            "oom_retry": oom_retry,
        }
        return RenderResult(frames, fps=MODEL_FPS, timings=timings, metadata=metadata)

    def _plan(self, info: _ModelInfo, request: RenderRequest) -> tuple[str, list[str]]:
        """Which pipeline class renders `request` on this model, and which inputs it drops."""
        dropped: list[str] = []
        for ref in request.references:
            label = ref.handle or Path(ref.path).name
            if info.family != _VACE:
                dropped.append(
                    f"reference image {label} ({ref.role}): this Wan model has no reference "
                    f"input; a VACE model (e.g. {self.DEFAULT_MODEL}) uses it"
                )
            elif ref.role not in REFERENCE_ROLES:
                dropped.append(
                    f"reference image {label} ({ref.role}): Wan VACE uses subject and "
                    "location images only"
                )
        if info.family == _VACE:
            return _VACE, dropped
        if request.first_frame:
            if not info.starts_from_frame:
                raise ValueError(
                    f"this Wan model ({info.source}) cannot start from a frame (`first_frame` "
                    f"was given); use a VACE or I2V model (e.g. {self.DEFAULT_MODEL}) with "
                    "--model, or render without continues_from"
                )
            return _I2V, dropped
        if info.family == _I2V:
            raise ValueError(
                f"this Wan model ({info.source}) is image-to-video only and needs a "
                f"`first_frame`; give one, or use a VACE or text-to-video model (e.g. "
                f"{self.DEFAULT_MODEL}) with --model"
            )
        return _T2V, dropped

    def _conditioning(
        self, kind: str, request: RenderRequest
    ) -> tuple[dict[str, Any], str, list[str]]:
        """Pipeline keyword arguments for the first frame and the references, and the mode name."""
        from PIL import Image, ImageOps

        size = (request.width, request.height)
        first = None
        if request.first_frame:
            with Image.open(request.first_frame) as image:
                first = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS)
        if kind == _I2V:
            return {"image": first}, "first_frame", []
        if kind != _VACE:
            return {}, "text", []
        kwargs: dict[str, Any] = {}
        mode = "text"
        if first is not None:
            # VACE: frame 0 given and kept (mask black), the rest generated (grey, mask white),
            # as in diffusers' VACE first/last-frame example.
            grey = Image.new("RGB", size, (128, 128, 128))
            kwargs["video"] = [first] + [grey] * (request.frames - 1)
            kwargs["mask"] = [Image.new("L", size, 0)] + [Image.new("L", size, 255)] * (
                request.frames - 1
            )
            mode = "first_frame"
        used = [r for r in request.references if r.role in REFERENCE_ROLES and r.kind == "image"]
        if used:
            images = []
            for ref in used:
                with Image.open(ref.path) as image:
                    images.append(image.convert("RGB"))
            kwargs["reference_images"] = images
            mode = "first_frame+references" if first is not None else "references"
        return kwargs, mode, [r.handle or r.path for r in used]

    def _call(
        self,
        pipe: Any,
        request: RenderRequest,
        steps: int,
        conditioning: dict[str, Any],
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> Any:
        import torch

        def on_step_end(pipeline: Any, step: int, timestep: Any, tensors: dict) -> dict:
            progress(step + 1, steps, f"denoising step {step + 1}/{steps}")
            cancel.check()  # raises RenderCancelled: no more steps and no VAE decode
            return tensors

        device = self.settings.resolved_device()
        generator = torch.Generator(device=device).manual_seed(request.seed)
        self._running = pipe
        try:
            return pipe(
                prompt=request.prompt,
                negative_prompt=request.negative_prompt or None,
                height=request.height,
                width=request.width,
                num_frames=request.frames,
                guidance_scale=float(request.options.get("guidance", DEFAULT_GUIDANCE)),
                num_inference_steps=steps,
                generator=generator,
                output_type="np",
                callback_on_step_end=on_step_end,
                **conditioning,
            )
        finally:
            self._running = None

    # -- models and pipelines ------------------------------------------------------------------

    def _model_info(self, model: str) -> _ModelInfo:
        """Read model_index.json (folder or hub cache) and say what kind of Wan model it is."""
        if model in self._models:
            return self._models[model]
        folder = Path(model).expanduser()
        if folder.exists():
            if not folder.is_dir():
                raise ValueError(f"Wan model {model} is a file; give a hub id or a model folder")
            index_path = folder / "model_index.json"
            if not index_path.is_file():
                raise ValueError(
                    f"Wan model folder {folder} has no model_index.json: it is not a diffusers "
                    "pipeline; give a hub id or a folder made with save_pretrained"
                )
            source = str(folder.resolve())
            snapshot = source
        elif model.startswith(("/", ".", "~")) or model.count("/") != 1:
            raise ValueError(
                f"Wan model {model} is neither a folder on this machine nor a hub id like "
                f"{self.DEFAULT_MODEL}"
            )
        else:
            source = model
            index_path = self._hub_index(model)
            snapshot = str(Path(index_path).parent)
        index = json.loads(Path(index_path).read_text())
        class_name = index.get("_class_name", "")
        transformer = (index.get("transformer") or [None, None])[1]
        if class_name == _VACE or transformer == "WanVACETransformer3DModel":
            family, starts = _VACE, True
        elif class_name == _I2V:
            family, starts = _I2V, True
        elif class_name == _T2V:
            family, starts = _T2V, bool(index.get("expand_timesteps"))
        else:
            raise ValueError(
                f"Wan model {model} is a {class_name or 'pipeline of unknown class'}, not a Wan "
                f"text-to-video, image-to-video or VACE pipeline; try {self.DEFAULT_MODEL}"
            )
        info = _ModelInfo(source=source, folder=snapshot, family=family, starts_from_frame=starts)
        self._models[model] = info
        return info

    def _hub_index(self, model: str) -> str:
        """model_index.json of a hub id, from the local cache; the network is never asked.

        Not `hf_hub_download(local_files_only=True)`: huggingface_hub 2.x still fetches
        a registry from the hub there, which hangs without network.
        """
        from huggingface_hub import try_to_load_from_cache

        try:
            found = try_to_load_from_cache(model, "model_index.json")
        except Exception as error:  # an odd cache reads as "not there"
            raise self._not_here_error(model) from error
        if not isinstance(found, str):
            raise self._not_here_error(model)
        return found

    def _not_here_error(self, model: str) -> OSError:
        return OSError(
            f"Wan model {model} is not on this machine (storyreel never downloads weights): run "
            f"`hf download {model}` (before huggingface_hub 1.0: `huggingface-cli download "
            f"{model}`) on a machine with network, or pass --model /path/to/folder"
        )

    def _pipeline(self, info: _ModelInfo, kind: str) -> Any:
        """The warm pipeline `kind` for this model: loaded once, other kinds share its modules."""
        key = (info.source, kind)
        pipe = self._pipelines.get(key)
        if pipe is None:
            siblings = [p for (source, _), p in self._pipelines.items() if source == info.source]
            pipe = self._share(kind, siblings[0]) if siblings else self._from_pretrained(info)
            self._apply_settings(pipe, info, kind)
            self._pipelines[key] = pipe
        elif self._offload() != "none" and self._active.get(info.source) != kind:
            # Offload hooks live on the shared modules: give them to the pipeline in use.
            self._enable_offload(pipe)
            self._active[info.source] = kind
        return pipe

    def _from_pretrained(self, info: _ModelInfo) -> Any:
        import diffusers
        import torch

        pipeline_class = getattr(diffusers, info.family)
        dtype = self.settings.torch_dtype()
        # Wan's diffusers examples keep the VAE (and the CLIP image encoder) in float32.
        dtypes = {"default": dtype, "vae": torch.float32, "image_encoder": torch.float32}
        try:
            # A hub id loads from its cached snapshot folder: a partial download is said at
            # once (`hf download` completes it) instead of retrying the hub for half a minute.
            pipe = pipeline_class.from_pretrained(info.folder, dtype=dtypes, local_files_only=True)
        except OSError as error:
            if info.folder == info.source:  # a folder of the user's
                raise OSError(
                    f"Wan model folder {info.source} could not be loaded: {error}; "
                    "it should be a folder made with save_pretrained"
                ) from error
            raise self._not_here_error(info.source) from error
        self.loads += 1
        pipe.set_progress_bar_config(disable=True)  # progress goes through our callback
        return pipe

    def _share(self, kind: str, base: Any) -> Any:
        """A `kind` pipeline over `base`'s loaded modules: nothing is read or copied.

        Not `from_pipe`: it ends with `.to(dtype)` (float32 unless given), which would
        recast the shared modules, the float32 VAE included.
        """
        import diffusers

        pipeline_class = getattr(diffusers, kind)
        accepted = inspect.signature(pipeline_class.__init__).parameters
        kwargs = {name: module for name, module in base.components.items() if name in accepted}
        for name in ("boundary_ratio", "expand_timesteps"):
            if name in accepted and name in base.config:
                kwargs[name] = base.config[name]
        pipe = pipeline_class(**kwargs)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _offload(self) -> str:
        if self._offload_after_oom and self.settings.offload == "none":
            return "model"
        return self.settings.offload

    def _enable_offload(self, pipe: Any) -> None:
        device = self.settings.resolved_device()
        if self._offload() == "sequential":
            pipe.enable_sequential_cpu_offload(device=device)
        else:
            pipe.enable_model_cpu_offload(device=device)

    def _apply_settings(self, pipe: Any, info: _ModelInfo, kind: str) -> None:
        """Device or offload, VAE tiling/slicing, attention backend and cache hooks."""
        settings = self.settings
        device = settings.resolved_device()
        offload = self._offload()
        if offload != "none":
            if not device.startswith("cuda"):
                raise ValueError(
                    f'GPU setting offload = "{offload}" moves models between the CPU and a GPU, '
                    f'but the device is {device}: set offload = "none" (or device = "cuda")'
                )
            if importlib.util.find_spec("accelerate") is None:
                raise ImportError(f'offload = "{offload}" needs accelerate: pip install accelerate')
            self._enable_offload(pipe)
            self._active[info.source] = kind
        else:
            self._move(pipe, info, kind, device)
        vae = pipe.vae
        for flag, method in (("vae_tiling", "enable_tiling"), ("vae_slicing", "enable_slicing")):
            if getattr(settings, flag):
                if not hasattr(vae, method):
                    raise ValueError(
                        f"GPU setting {flag} = true, but the VAE of {info.source} "
                        f"({type(vae).__name__}) cannot do it: set {flag} = false"
                    )
                getattr(vae, method)()
        for transformer in (pipe.transformer, getattr(pipe, "transformer_2", None)):
            if transformer is None or id(transformer) in self._prepared:
                continue
            self._prepared.add(id(transformer))
            self._apply_attention(transformer)
            self._apply_cache(transformer)

    def _move(self, pipe: Any, info: _ModelInfo, kind: str, device: str) -> None:
        """`pipe.to(device)`; if the weights alone overflow the GPU, fall back to model offload."""
        try:
            pipe.to(device)
        except Exception as error:
            if not (_is_out_of_memory(error) and self.settings.retry_oom_with_offload):
                if _is_out_of_memory(error):
                    raise RuntimeError(
                        f"the weights of Wan model {info.source} do not fit on {device}: set "
                        'offload = "model" (or "sequential") in storyreel-gpu.toml or with '
                        "--offload, or use a smaller model"
                    ) from error
                raise
            self._offload_after_oom = True
            pipe.to("cpu")
            _empty_cuda_cache()
            self._enable_offload(pipe)
            self._active[info.source] = kind

    def _apply_attention(self, transformer: Any) -> None:
        name = self.settings.attention
        if not name:
            return
        if not hasattr(transformer, "set_attention_backend"):
            raise ValueError(
                f'GPU setting attention = "{name}" needs diffusers >= 0.35 '
                '(set_attention_backend); leave attention = "" for the default'
            )
        try:
            transformer.set_attention_backend(name)
        except Exception as error:
            raise ValueError(
                f'GPU setting attention = "{name}" is not usable here ({error}); try "native" '
                'or leave attention = "" for PyTorch\'s default'
            ) from error

    def _apply_cache(self, transformer: Any) -> None:
        name = self.settings.cache
        if not name:
            return
        if not hasattr(transformer, "enable_cache"):
            raise ValueError(
                f'GPU setting cache = "{name}" needs diffusers >= 0.33 (enable_cache); '
                'set cache = ""'
            )
        if transformer.is_cache_enabled:
            return
        from diffusers import FirstBlockCacheConfig, PyramidAttentionBroadcastConfig

        if name == "first_block":
            if len(getattr(transformer, "blocks", [])) < 2:
                raise ValueError(
                    'GPU setting cache = "first_block" needs a transformer with at least 2 '
                    'blocks; set cache = "" or "pab"'
                )
            config: Any = FirstBlockCacheConfig(threshold=0.05)
        else:  # "pab": GpuSettings allows nothing else
            config = PyramidAttentionBroadcastConfig(
                spatial_attention_block_skip_range=2,
                spatial_attention_timestep_skip_range=(100, 800),
                current_timestep_callback=self._current_timestep,
            )
        transformer.enable_cache(config)

    def _current_timestep(self) -> Any:
        return self._running.current_timestep if self._running is not None else None

    def _out_of_memory_error(self, request: RenderRequest) -> RuntimeError:
        return RuntimeError(
            f"Wan ran out of GPU memory at {request.width}x{request.height}, {request.frames} "
            f'frames (offload = "{self._offload()}"): set offload = "model" (or "sequential" '
            "for the least memory) in storyreel-gpu.toml or with --offload, vae_tiling = true, "
            "or render a smaller size or fewer frames"
        )

    # -- tiny pipelines for tests --------------------------------------------------------------

    @staticmethod
    def build_tiny(folder: Path) -> Path:
        """Save a tiny random-weight WanVACEPipeline (a valid `--model` for every request kind)."""
        import torch
        from diffusers import WanVACEPipeline, WanVACETransformer3DModel

        torch.manual_seed(0)
        tokenizer, text_encoder, vae, scheduler = _tiny_common()
        transformer = WanVACETransformer3DModel(
            num_layers=3, vace_layers=[0, 2], vace_in_channels=96, **_TINY_TRANSFORMER
        )
        pipe = WanVACEPipeline(
            tokenizer=tokenizer,
            text_encoder=text_encoder,
            vae=vae,
            scheduler=scheduler,
            transformer=transformer,
        )
        pipe.save_pretrained(folder)
        return Path(folder)

    @staticmethod
    def build_tiny_t2v(folder: Path) -> Path:
        """Save a tiny random-weight plain WanPipeline (text-to-video only)."""
        import torch
        from diffusers import WanPipeline, WanTransformer3DModel

        torch.manual_seed(0)
        tokenizer, text_encoder, vae, scheduler = _tiny_common()
        transformer = WanTransformer3DModel(num_layers=2, **_TINY_TRANSFORMER)
        pipe = WanPipeline(
            tokenizer=tokenizer,
            text_encoder=text_encoder,
            vae=vae,
            scheduler=scheduler,
            transformer=transformer,
        )
        pipe.save_pretrained(folder)
        return Path(folder)


# The tiny transformer is small in width and depth only: its rotary position table is as long
# as the real models' (1024 positions per axis). A shorter one (it was 32) cannot place the
# patch grid of a 360p frame (640 px / 16 = 40 columns) and fails in the first denoising step
# with "shape '[1, 1, 40, -1]' is invalid".
_TINY_TRANSFORMER: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 2,
    "attention_head_dim": 12,
    "in_channels": 16,
    "out_channels": 16,
    "text_dim": 32,
    "freq_dim": 256,
    "ffn_dim": 32,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
    "rope_max_seq_len": 1024,
}


def _tiny_common() -> tuple[Any, Any, Any, Any]:
    """Tokenizer, text encoder, VAE and scheduler of the tiny pipelines (docs/architecture.md)."""
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler
    from transformers import ByT5Tokenizer, UMT5Config, UMT5EncoderModel

    text_encoder = UMT5EncoderModel(
        UMT5Config(
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
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    return ByT5Tokenizer(), text_encoder, vae, FlowMatchEulerDiscreteScheduler(shift=7.0)


def _check_positions(pipe: Any, info: _ModelInfo, request: RenderRequest) -> None:
    """Refuse, before the VAE runs, a frame whose patch grid the model cannot place.

    The rotary position table holds `rope_max_seq_len` positions per axis (1024 in the
    released models); beyond it diffusers fails mid-render with a bare shape error.
    """
    config = pipe.transformer.config
    limit, patch = config.get("rope_max_seq_len"), config.get("patch_size")
    if not limit or not patch:
        return
    spatial = getattr(pipe, "vae_scale_factor_spatial", 8)
    temporal = getattr(pipe, "vae_scale_factor_temporal", 4)
    grid = {
        "frames": ((request.frames - 1) // temporal + 1) // patch[0],
        "height": request.height // (spatial * patch[1]),
        "width": request.width // (spatial * patch[2]),
    }
    field_name, needed = max(grid.items(), key=lambda item: item[1])
    if needed > limit:
        raise ValueError(
            f"`{field_name}` is too large for Wan model {info.source}: it places at most "
            f"{limit} patches along each axis (rope_max_seq_len), and "
            f"{request.width}x{request.height}, {request.frames} frames needs {needed}; render "
            "a smaller size, or use a model with a longer position table (the released ones "
            "have 1024; storyreel dev tiny-models makes tiny ones that fit every preset)"
        )


def _snap_4k1(frames: int) -> int:
    """The nearest 4k+1 frame count, at least 5."""
    return max(5, 4 * math.floor((frames - 1) / 4 + 0.5) + 1)


def _snap_size(width: int, height: int, allow_large: bool) -> tuple[int, int]:
    """Multiples of 16 near the requested aspect, within the card's area unless allow_large."""
    card_area = CARD_SIZE[0] * CARD_SIZE[1]
    scale = 1.0
    if not allow_large and width * height > card_area:
        scale = math.sqrt(card_area / (width * height))

    def snap(value: float, rounding: Any) -> int:
        return max(SIZE_MULTIPLE, SIZE_MULTIPLE * int(rounding(value / SIZE_MULTIPLE)))

    def nearest(value: float) -> int:
        return math.floor(value + 0.5)

    w, h = snap(width * scale, nearest), snap(height * scale, nearest)
    if not allow_large and w * h > card_area:
        w, h = snap(width * scale, math.floor), snap(height * scale, math.floor)
    return w, h


def _is_out_of_memory(error: BaseException) -> bool:
    torch = sys.modules.get("torch")
    oom_type = getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)
    if oom_type is not None and isinstance(error, oom_type):
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def _empty_cuda_cache() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
