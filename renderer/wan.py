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

Locating and loading the model, keeping it warm (a second kind of request on the
same model builds its pipeline from the loaded modules, so the weights are read
once: `loads` counts `from_pretrained` calls), the GPU settings, the call with
progress, cancel and the out-of-memory retry, and frame conversion are the
`DiffusersRuntime`'s (renderer/diffusers_runtime.py); Wan keeps its VAE and image
encoder in float32 whatever the dtype, as diffusers' Wan examples do.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyreel.renderer.backend import Capabilities, QualityTier
from storyreel.renderer.diffusers_runtime import (
    DiffusersRuntime,
    ModelFolder,
    check_common,
    first_frame_image,
    one_frame,
    tiny_text_encoder,
    video_arguments,
)
from storyreel.renderer.gpu import GpuSettings
from storyreel.renderer.request import (
    CancelToken,
    ProgressCallback,
    ReferenceInput,
    RenderRequest,
    RenderResult,
)
from storyreel.renderer.video_io import oversized_image

if TYPE_CHECKING:
    import numpy as np

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
_FAMILIES = (_VACE, _T2V, _I2V)  # the pipeline classes a Wan model folder may be saved from


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
        final=QualityTier(steps=DEFAULT_STEPS, multiple=SIZE_MULTIPLE),
        # Draft: half each side (832x480 -> 416x240) and 10 steps, about 1/12 of the final's
        # GPU time. The 1.3B card supports 480p only, but the model still composes at
        # 416x240 (people run it there on small cards); flow matching with the card's
        # shift settles layout and motion in the first steps, which is what a draft is
        # looked at for. At another size the same seed draws other noise, so a draft
        # previews the prompt, the framing and the motion, not the final's exact pixels.
        draft=QualityTier(scale=0.5, steps=10, multiple=SIZE_MULTIPLE),
    )

    def __init__(self, settings: GpuSettings | None = None) -> None:
        self.runtime = DiffusersRuntime(
            self.name,
            "Wan",
            self.DEFAULT_MODEL,
            settings,
            packages=("ftfy",),
            full_precision=("vae", "image_encoder"),
        )

    @property
    def loads(self) -> int:
        """How many times weights were read (`from_pretrained` calls)."""
        return self.runtime.loads

    # -- lifecycle -----------------------------------------------------------------------------

    def load(self) -> None:
        """Check that the packages are installed; weights load on the first render of a model."""
        self.runtime.require()

    def unload(self) -> None:
        """Drop every pipeline and free the GPU memory they held."""
        self.runtime.unload()

    # -- requests ------------------------------------------------------------------------------

    def model_for(self, request: RenderRequest) -> str:
        """The model to use: options["model"], else GpuSettings.models["wan"], else the default."""
        return self.runtime.model_for(request)

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
        check_common(request)

    # -- rendering -----------------------------------------------------------------------------

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        """Render one take into memory: (frames, H, W, 3) uint8 at 16 fps."""
        # 1. check inputs: the request, then what this model can do with it
        self.check_request(request)
        cancel.check()
        with self.runtime.lock:
            started = time.perf_counter()
            model = self.runtime.locate(self.model_for(request))
            family, starts_from_frame = _family(model, self.runtime)
            kind, dropped = self._plan(model, family, starts_from_frame, request)
            # 2. prepare: the warm pipeline and its inputs
            pipe = self.runtime.pipeline(model, kind, load_as=family)
            _check_positions(pipe, model, request)
            steps = int(request.options.get("steps", DEFAULT_STEPS))
            conditioning, mode, used = self._conditioning(kind, request)
            arguments = video_arguments(request, DEFAULT_GUIDANCE) | conditioning
            # 3. denoise with progress and a cancel check every step; 4. decode to uint8
            run = self.runtime.call(pipe, arguments, request, steps, progress, cancel, started)
        # 5. a typed result
        return run.result(
            MODEL_FPS,
            model=model.source,
            mode=mode,
            dropped=dropped,
            references_used=used,
            first_frame="first_frame" in mode,
        )

    def still(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> np.ndarray:
        """A keyframe candidate (tools/keyframes.py): `request` rendered as ONE frame (1 is
        4k+1) by this model through `render` (same pipeline choice, prompt, references,
        first frame and seed as a take), as (H, W, 3) uint8 at the request's size."""
        return one_frame(self, request, progress, cancel)

    def _plan(
        self, model: ModelFolder, family: str, starts_from_frame: bool, request: RenderRequest
    ) -> tuple[str, list[str]]:
        """Which pipeline class renders `request` on this model, and which inputs it drops."""
        dropped: list[str] = []
        for ref in request.references:
            label = ref.handle or Path(ref.path).name
            if family != _VACE:
                dropped.append(
                    f"reference image {label} ({ref.role}): this Wan model has no reference "
                    f"input; a VACE model (e.g. {self.DEFAULT_MODEL}) uses it"
                )
            elif ref.role not in REFERENCE_ROLES:
                dropped.append(
                    f"reference image {label} ({ref.role}): Wan VACE uses subject and "
                    "location images only"
                )
        if family == _VACE:
            return _VACE, dropped
        if request.first_frame:
            if not starts_from_frame:
                raise ValueError(
                    f"this Wan model ({model.source}) cannot start from a frame (`first_frame` "
                    f"was given); use a VACE or I2V model (e.g. {self.DEFAULT_MODEL}) with "
                    "--model, or render without continues_from"
                )
            return _I2V, dropped
        if family == _I2V:
            raise ValueError(
                f"this Wan model ({model.source}) is image-to-video only and needs a "
                f"`first_frame`; give one, or use a VACE or text-to-video model (e.g. "
                f"{self.DEFAULT_MODEL}) with --model"
            )
        return _T2V, dropped

    def _conditioning(
        self, kind: str, request: RenderRequest
    ) -> tuple[dict[str, Any], str, list[str]]:
        """Pipeline keyword arguments for the first frame and the references, and the mode name."""
        from PIL import Image

        size = (request.width, request.height)
        first = first_frame_image(request) if request.first_frame else None
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

    tokenizer, text_encoder = tiny_text_encoder(umt5=True)
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    return tokenizer, text_encoder, vae, FlowMatchEulerDiscreteScheduler(shift=7.0)


def _family(model: ModelFolder, runtime: DiffusersRuntime) -> tuple[str, bool]:
    """The pipeline class a Wan model folder loads as, and whether it can start from a frame
    (VACE, I2V, or T2V trained with expand_timesteps: Wan2.2-TI2V-5B)."""
    index = model.index or {}
    if (index.get("transformer") or [None, None])[1] == "WanVACETransformer3DModel":
        return _VACE, True
    runtime.check_family(model, _FAMILIES)
    if model.class_name == _T2V:
        return _T2V, bool(index.get("expand_timesteps"))
    return model.class_name, True


def _check_positions(pipe: Any, model: ModelFolder, request: RenderRequest) -> None:
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
            f"`{field_name}` is too large for Wan model {model.source}: it places at most "
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
