"""GPU settings shared by the diffusers backends, from a config file, the environment or flags.

Settings (all optional; defaults suit a 24 GB card, the CPU fallback works anywhere):

    dtype            "auto" (bf16 on a GPU, fp32 on the CPU), "bf16", "fp16", "fp32"
    device           "auto" (cuda if available, else cpu), "cuda", "cuda:1", "cpu"
    offload          "none", "model" (model CPU offload: ~half the VRAM, a little slower),
                     "sequential" (lowest VRAM, much slower)
    vae_tiling       true/false: decode the video in tiles (less VRAM at high resolution)
    vae_slicing      true/false: decode one frame batch at a time
    attention        "" (diffusers' default) or an attention backend name diffusers offers
                     (e.g. "flash", "sage", "_native_cudnn")
    cache            "" (off), "first_block" (first-block cache) or "pab" (pyramid attention
                     broadcast): opt-in speed-ups that trade a little quality
    retry_oom_with_offload  true/false: after running out of GPU memory, retry once with
                     model offload
    download         true/false (default false): let a hub id that is not in the local
                     Hugging Face cache download on first use (and attention kernels from
                     the hub); off, storyreel never asks the network and says how to get it
    models           per-backend model ids or folders, e.g. {wan = "/models/wan-vace"}
    quality          {default = "draft"} or {default = "final"}: the tier `render` and the
                     agent use on a backend that has a draft tier when none is asked for
                     (default "draft"; previz has one tier and always renders final)
    cluster          [cluster] address = "auto" | "HOST:6379" | "ray://HOST:10001" | "local:N",
                     and optionally workers, shared_folder, retries: render on a Ray
                     cluster (tools/cluster.py says what each means)
    music            [music] model = "FOLDER": the MusicGen model `storyreel music` uses
                     (tools/music.py)
    keyframes        [keyframes] model = "HUB ID or FOLDER": a text-to-image diffusers
                     pipeline that draws keyframe stills for backends without stills of
                     their own (cogvideox), or for every diffusion backend with
                     prefer = true; optionally steps (default 30) and guidance
                     (renderer/text_to_image.py)

The file is `storyreel-gpu.toml` in the project folder, else `~/.config/storyreel/gpu.toml`;
`STORYREEL_GPU_<NAME>` environment variables and command-line flags override it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CONFIG_NAME = "storyreel-gpu.toml"
TABLES = ("models", "quality", "cluster", "music", "keyframes")
"""Settings that are tables in the file (no environment variable sets them)."""
KEYFRAMES_EXAMPLE = '[keyframes] model = "PixArt-alpha/PixArt-XL-2-512x512", steps = 30'


def _check_keyframes(table: object) -> None:
    """A ValueError saying what is wrong with the [keyframes] table, with an example."""
    if not isinstance(table, dict):
        raise ValueError(f"GPU setting keyframes must be a table like {KEYFRAMES_EXAMPLE}")
    unknown = set(table) - {"model", "steps", "guidance", "prefer"}
    problem = f"unknown key(s) {', '.join(sorted(unknown))}" if unknown else ""
    if not table:
        return
    model, steps = table.get("model"), table.get("steps", 1)
    guidance, prefer = table.get("guidance", 0.0), table.get("prefer", False)
    if not isinstance(model, str) or not model.strip():
        problem = f"model must be a hub id or a folder, got {model!r}"
    elif isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        problem = f"steps must be a whole number >= 1, got {steps!r}"
    elif isinstance(guidance, bool) or not isinstance(guidance, int | float) or guidance < 0:
        problem = f"guidance must be a number >= 0, got {guidance!r}"
    elif not isinstance(prefer, bool):
        problem = f"prefer must be true or false, got {prefer!r}"
    if problem:
        raise ValueError(f"GPU setting [keyframes]: {problem} (e.g. {KEYFRAMES_EXAMPLE})")


@dataclass(frozen=True)
class GpuSettings:
    """How the diffusers backends use the machine (see the module docstring)."""

    dtype: str = "auto"
    device: str = "auto"
    offload: str = "none"
    vae_tiling: bool = False
    vae_slicing: bool = False
    attention: str = ""
    cache: str = ""
    retry_oom_with_offload: bool = True
    download: bool = False
    models: dict[str, str] = field(default_factory=dict)
    quality: dict[str, str] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)
    music: dict[str, Any] = field(default_factory=dict)
    keyframes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_keyframes(self.keyframes)
        if not isinstance(self.cluster, dict):
            raise ValueError(
                f'GPU setting cluster must be a table [cluster] with address = "auto", '
                f'"HOST:6379", "ray://HOST:10001" or "local:N", got {self.cluster!r}'
            )
        quality = self.quality
        if (
            not isinstance(quality, dict)
            or set(quality) - {"default"}
            or quality.get("default", "draft") not in ("draft", "final")
        ):
            raise ValueError(
                f'GPU setting quality must be a table [quality] with default = "draft" or '
                f'"final", got {quality!r}'
            )
        allowed = {
            "dtype": {"auto", "bf16", "fp16", "fp32"},
            "offload": {"none", "model", "sequential"},
            "cache": {"", "first_block", "pab"},
        }
        for name, values in allowed.items():
            if getattr(self, name) not in values:
                raise ValueError(
                    f"GPU setting {name} must be one of {', '.join(sorted(values))}, "
                    f"got {getattr(self, name)!r}"
                )

    def with_overrides(self, **changes: Any) -> GpuSettings:
        """A copy with the given (non-None) settings changed."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def resolved_device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def torch_dtype(self) -> Any:
        """The torch dtype: bf16 on a GPU and fp32 on the CPU when "auto"."""
        import torch

        name = self.dtype
        if name == "auto":
            name = "fp32" if self.resolved_device() == "cpu" else "bf16"
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


_PROJECT_ROOT: ContextVar[Path | None] = ContextVar("storyreel_project_root", default=None)


@contextmanager
def project_settings(root: Path | None) -> Iterator[None]:
    """GPU backends created inside this block read `root`'s storyreel-gpu.toml."""
    token = _PROJECT_ROOT.set(root)
    try:
        yield
    finally:
        _PROJECT_ROOT.reset(token)


_GIVEN: ContextVar[GpuSettings | None] = ContextVar("storyreel_gpu_settings", default=None)


@contextmanager
def given_settings(settings: GpuSettings) -> Iterator[None]:
    """GPU backends created inside this block use `settings` (a cluster worker renders
    with the settings of the project that sent the take, not files of its own machine)."""
    token = _GIVEN.set(settings)
    try:
        yield
    finally:
        _GIVEN.reset(token)


def current_settings() -> GpuSettings:
    """The settings a backend created now uses: given ones, else the project's files."""
    return _GIVEN.get() or load_settings(settings_root())


def settings_root() -> Path:
    """The project whose GPU config applies here: the one rendering, else the current folder."""
    return _PROJECT_ROOT.get() or Path.cwd()


def load_settings(project_root: Path | None = None) -> GpuSettings:
    """Settings from the project's or the user's config file, then the environment."""
    data: dict[str, Any] = {}
    candidates = [project_root / CONFIG_NAME] if project_root else []
    candidates.append(Path.home() / ".config" / "storyreel" / "gpu.toml")
    for path in candidates:
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text())
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"{path} is not valid TOML: {error}") from error
            break
    for item in fields(GpuSettings):
        env = os.environ.get(f"STORYREEL_GPU_{item.name.upper()}")
        if env is not None and item.name not in TABLES:
            data[item.name] = _parse(env, bool if item.type in ("bool", bool) else str)
    unknown = set(data) - {item.name for item in fields(GpuSettings)}
    if unknown:
        raise ValueError(f"unknown GPU setting(s): {', '.join(sorted(unknown))}")
    return GpuSettings(**data)
