"""Keyframe stills from a text-to-image diffusers pipeline (`[keyframes]` in storyreel-gpu.toml).

previz, Wan and LTX draw a shot's candidate stills themselves (tools/keyframes.py). A
backend that cannot (CogVideoX), or every diffusion backend when the project prefers it,
draws them with a text-to-image model the person sets:

    [keyframes]
    model = "PixArt-alpha/PixArt-XL-2-512x512"   # a hub id in the local cache, or a folder
    steps = 30                                   # optional (default 30)
    guidance = 4.5                               # optional (default: the pipeline's own)
    prefer = true                                # optional: for wan and ltx too

Any diffusers pipeline that makes an image from a prompt will do (Stable Diffusion, SDXL,
PixArt, Sana, Flux...): the class the model folder was saved from is loaded, and refused
before any weights load when it is not a text-to-image pipeline (one that takes a number
of frames, or needs an input image). The still is drawn from the shot's compiled request:
its prompt and negative prompt, the seed of the candidate, the request's size snapped to
multiples of 16 for the model, and resized back to the request's size when that changed
it. Locating the model (nothing is downloaded unless `download = true`), loading it once
and keeping it warm, the GPU settings, the call with progress, cancel and the
out-of-memory retry are the `DiffusersRuntime`'s, as for the video backends.

`build_tiny` saves a random-weight PixArt-alpha pipeline of a few hundred kilobytes for
tests: its pictures are noise, but the real loading and inference code runs.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyreel.renderer.diffusers_runtime import (
    DiffusersRuntime,
    still_at_size,
    tiny_text_encoder,
)
from storyreel.renderer.gpu import GpuSettings

if TYPE_CHECKING:
    import numpy as np

    from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest

NAME = "keyframes"
LABEL = "text-to-image"
DEFAULT_STEPS = 30
SIZE_STEP = 16
"""Sizes are snapped to this multiple: latent sizes of 8 and patches of 2 fit every
common text-to-image model."""
QUIET_ARGUMENTS = {"clean_caption": False}
"""Passed when the pipeline takes them: PixArt's caption cleaning needs packages storyreel
does not install (and the compiled prompt needs no cleaning)."""

_warm: dict[str, TextToImageStills] = {}


def wanted(settings: GpuSettings, backend: str, has_own_still: bool) -> bool:
    """Whether `backend`'s stills come from the `[keyframes]` model: one is set, and the
    backend has no still of its own or the project prefers the model (never for previz,
    whose still is the animatic's own drawing of the plan)."""
    if not settings.keyframes.get("model") or backend == "previz":
        return False
    return bool(settings.keyframes.get("prefer")) or not has_own_still


def warm_stills(settings: GpuSettings) -> TextToImageStills:
    """The drawer for these settings, kept warm between stills (one at a time)."""
    key = repr(settings)
    if key not in _warm:
        for old in _warm.values():
            old.runtime.unload()
        _warm.clear()
        _warm[key] = TextToImageStills(settings)
    return _warm[key]


def is_text_to_image(pipeline_class: Any) -> bool:
    """Whether a diffusers pipeline class makes an image from a prompt alone."""
    try:
        parameters = inspect.signature(pipeline_class.__call__).parameters
    except (TypeError, ValueError):
        return False
    needs_image = any(
        name in ("image", "video", "control_image") and p.default is inspect.Parameter.empty
        for name, p in parameters.items()
    )
    return (
        "prompt" in parameters
        and "height" in parameters
        and "num_frames" not in parameters
        and not needs_image
    )


class TextToImageStills:
    """Draws keyframe stills with the `[keyframes]` model (see the module docstring)."""

    def __init__(self, settings: GpuSettings) -> None:
        self.settings = settings
        self.model = str(settings.keyframes["model"])
        self.steps = int(settings.keyframes.get("steps", DEFAULT_STEPS))
        self.guidance = settings.keyframes.get("guidance")
        self.runtime = DiffusersRuntime(NAME, LABEL, self.model, settings)

    def still(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> np.ndarray:
        """The (H, W, 3) uint8 still of `request` at its size, drawn with its seed
        (options["steps"], as `storyreel keyframes --steps`, overrides `[keyframes]` steps;
        options["model"] names the video backend's model and is not this one's)."""
        import diffusers

        self.runtime.require()
        cancel.check()
        with self.runtime.lock:
            started = time.perf_counter()
            model = self.runtime.locate(self.model)
            pipeline_class = getattr(diffusers, model.class_name, None)
            if pipeline_class is None or not is_text_to_image(pipeline_class):
                raise ValueError(
                    f"the [keyframes] model {model.source} is a "
                    f"{model.class_name or 'pipeline of unknown class'} folder, not a "
                    "text-to-image pipeline: set a model that makes a picture from a prompt "
                    "(Stable Diffusion, SDXL, PixArt, Sana, Flux...) in storyreel-gpu.toml"
                )
            pipe = self.runtime.pipeline(model, model.class_name)
            width, height = (
                max(SIZE_STEP, round(value / SIZE_STEP) * SIZE_STEP)
                for value in (request.width, request.height)
            )
            arguments: dict[str, Any] = {
                "prompt": request.prompt,
                "negative_prompt": request.negative_prompt or None,
                "height": height,
                "width": width,
            }
            if self.guidance is not None:
                arguments["guidance_scale"] = float(self.guidance)
            accepted = inspect.signature(type(pipe).__call__).parameters
            arguments |= {k: v for k, v in QUIET_ARGUMENTS.items() if k in accepted}
            if "negative_prompt" not in accepted:
                arguments.pop("negative_prompt")
            steps = int(request.options.get("steps", self.steps))
            run = self.runtime.call(pipe, arguments, request, steps, progress, cancel, started)
        return still_at_size(run.frames[0], request)

    @staticmethod
    def build_tiny(folder: Path) -> Path:
        """Save a tiny random-weight PixArt-alpha pipeline to `folder` (a valid [keyframes]
        model: pictures of noise in a fraction of a second on a CPU)."""
        import torch
        from diffusers import (
            AutoencoderKL,
            DPMSolverMultistepScheduler,
            PixArtAlphaPipeline,
            PixArtTransformer2DModel,
        )

        torch.manual_seed(0)
        tokenizer, text_encoder = tiny_text_encoder()
        transformer = PixArtTransformer2DModel(
            num_attention_heads=2,
            attention_head_dim=8,
            in_channels=4,
            out_channels=8,
            num_layers=1,
            sample_size=32,  # PixArt's 256-pixel aspect-ratio bins: few tokens at any size
            patch_size=2,
            caption_channels=32,
            cross_attention_dim=16,
            norm_type="ada_norm_single",
            use_additional_conditions=False,
        )
        vae = AutoencoderKL(
            block_out_channels=(8, 8, 8, 8),  # 8x in space, as the real VAE
            in_channels=3,
            out_channels=3,
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            norm_num_groups=8,
            sample_size=32,
        )
        pipe = PixArtAlphaPipeline(
            tokenizer=tokenizer,
            text_encoder=text_encoder,
            vae=vae,
            transformer=transformer,
            scheduler=DPMSolverMultistepScheduler(),
        )
        folder = Path(folder)
        pipe.save_pretrained(folder)
        return folder
