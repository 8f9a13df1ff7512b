"""The backend protocol, declared capabilities and the registry of backends.

The registry is the one place that knows which backends exist and what else people call
them ("animatic" for previz, "ltx-video" for ltx): front ends and directors read
`backend_names()`, `backend_aliases()` and `backend_name()` rather than keep lists of their
own. Built-in backends register themselves the way a plugin would; third-party packages add
one through the `storyreel.backends` entry point group, whose entry points name a
zero-argument factory returning a `Backend` (registered under the entry point's name).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from storyreel.renderer.registry import Registry
from storyreel.renderer.request import CancelToken, ProgressCallback, RenderRequest, RenderResult

Quality = Literal["draft", "final"]
"""A take's quality tier: "final" renders at the model card's settings; "draft" at the
backend's declared smaller size and fewer steps (`Capabilities.draft`), for looking at
many takes cheaply before the final render."""


class QualityTier(BaseModel):
    """How a backend renders one quality tier: the frame size relative to the final size
    (each side multiplied by `scale`, then rounded to a multiple of `multiple`, the model's
    size rule) and the denoising steps.

    The GPU time of a tier relative to final is taken as steps x pixels (frames are the
    same in every tier, so the shot keeps its length): `Capabilities.cost_of`. This is an
    assumption, not a measurement: attention grows faster than the pixel count, so a
    smaller draft is usually a little cheaper than this says; loading the model, encoding
    the prompt and decoding the video do not shrink with the steps, so a draft with few
    steps is a little dearer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: float = Field(1.0, gt=0, le=1, description="Each side x this, relative to final")
    steps: int = Field(ge=1, description="Denoising steps")
    multiple: int = Field(16, ge=1, description="Sides are rounded to multiples of this")


class Capabilities(BaseModel):
    """What a backend can do; the compiler and the agent read this before asking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text_to_video: bool = True
    image_to_video: bool = False
    max_reference_images: int = Field(0, ge=0)
    max_reference_videos: int = Field(0, ge=0)
    max_audio: int = Field(0, ge=0)
    frame_rule: str = Field("any", description='"any" or a rule such as "4k+1" or "8k+1"')
    max_frames: int = 10_000
    resolutions: list[tuple[int, int]] = Field(
        default_factory=list, description="Supported (width, height); empty means any"
    )
    fps: list[int] = Field(default_factory=list, description="Supported fps; empty means any")
    needs_gpu: bool = False
    deterministic: bool = True
    gpu_seconds_per_frame: float = Field(
        0.0, ge=0, description="Rough GPU time per frame, for budgets and approvals"
    )
    prompt_style: Literal["compact", "prose"] = Field(
        "compact",
        description='"compact": camera terms first, then the action and the entities; '
        '"prose": a present-tense paragraph, action first, the camera move last',
    )
    final: QualityTier | None = Field(
        None, description="The final tier (the model card's settings); None: no steps to count"
    )
    draft: QualityTier | None = Field(
        None, description='The draft tier; None: one tier, and "draft" renders final'
    )
    stages: bool = Field(
        False,
        description="Draws the shot from its structured directions (previz): the compiler "
        "adds what it stages (the action, what each person carries) to options['previz']",
    )

    def tier(self, quality: Quality) -> Quality:
        """The tier a take asked at `quality` is rendered at: final when there is no draft."""
        return "draft" if quality == "draft" and self.draft is not None else "final"

    def cost_of(self, quality: Quality) -> float:
        """GPU time of a take at `quality` relative to final: steps x pixels (QualityTier)."""
        if self.tier(quality) == "final" or self.draft is None:
            return 1.0
        final = self.final or QualityTier(steps=self.draft.steps)
        return (self.draft.steps / final.steps) * (self.draft.scale / final.scale) ** 2


def with_quality(
    request: RenderRequest, capabilities: Capabilities, quality: Quality
) -> RenderRequest:
    """`request` (already snapped to the backend's rules) at `quality`.

    A draft is scaled by the draft tier (each side, rounded to its multiple), takes the
    draft's steps unless options["steps"] was given, and says options["quality"] = "draft",
    so a draft and a final of one shot are different requests with different hashes. A
    final request is left as it is: it carries no tier option, so takes made before tiers
    existed keep their hashes. On a backend with one tier, "draft" gives the final request.
    """
    tier = capabilities.draft
    if capabilities.tier(quality) == "final" or tier is None:
        return request

    def side(value: int) -> int:
        return max(tier.multiple, round(value * tier.scale / tier.multiple) * tier.multiple)

    options = {**request.options, "quality": "draft"}
    options.setdefault("steps", tier.steps)
    width, height = side(request.width), side(request.height)
    return request.model_copy(update={"width": width, "height": height, "options": options})


@runtime_checkable
class Backend(Protocol):
    """A renderer. `load` once (heavy), then `render` many requests."""

    name: str
    capabilities: Capabilities

    def load(self) -> None:
        """Load weights or build caches; called once before the first render."""

    def check_request(self, request: RenderRequest) -> None:
        """Raise ValueError naming the field, the rule and the value if it cannot render."""

    def render(
        self, request: RenderRequest, progress: ProgressCallback, cancel: CancelToken
    ) -> RenderResult:
        """Render one request, calling progress every step and checking cancel."""

    def unload(self) -> None:
        """Free what `load` took."""


BackendFactory = Callable[[], Backend]


def _builtins(registry: Registry[Backend]) -> None:
    from storyreel.renderer.previz import PrevizBackend

    registry.register("previz", PrevizBackend, BUILTIN_ALIASES["previz"])
    for name in GPU_BACKENDS:
        registry.register(name, _lazy_factory(name), BUILTIN_ALIASES.get(name, ()))


BACKENDS: Registry[Backend] = Registry("backend", "storyreel.backends", _builtins)
"""The video backends: previz, the diffusers families, and add-ons (entry points)."""
_REGISTRY = BACKENDS.factories
_ALIASES = BACKENDS.aliases


def register_backend(name: str, factory: BackendFactory, aliases: tuple[str, ...] = ()) -> None:
    """Make a backend available under `name`, and under each of `aliases` in what people say
    (a later registration replaces an earlier one)."""
    BACKENDS.register(name, factory, aliases)


def backend_names() -> list[str]:
    """Names of every registered backend, sorted."""
    return BACKENDS.names()


def backend_aliases() -> dict[str, str]:
    """Every word that names a backend (its name or an alias, lower case) -> the backend name."""
    return BACKENDS.words()


def backend_name(word: str) -> str:
    """The registered name `word` stands for (a name or an alias, any case), or a ValueError
    listing the known ones."""
    return BACKENDS.name(word)


def backend_factory(name: str) -> BackendFactory:
    """The factory of backend `name`, or a ValueError listing the known ones."""
    return BACKENDS.factory(name)


GPU_BACKENDS = {
    "wan": ("storyreel.renderer.wan", "WanBackend"),
    "ltx": ("storyreel.renderer.ltx", "LTXBackend"),
    "cogvideox": ("storyreel.renderer.cogvideox", "CogVideoXBackend"),
}
"""The diffusers backends: module and class, imported only when one is used."""

BUILTIN_ALIASES = {"previz": ("animatic",), "ltx": ("ltx-video",), "cogvideox": ("cogvideo",)}
"""Other words people use for the built-in backends."""


def backend_class(name: str) -> type:
    """The class of a built-in GPU backend (imports its module, not torch)."""
    module, attribute = GPU_BACKENDS[name]
    return getattr(importlib.import_module(module), attribute)


def _lazy_factory(name: str) -> BackendFactory:
    def factory() -> Backend:
        # the backend's runtime reads the GPU settings of the project rendering now
        return backend_class(name)()

    factory.__name__ = f"{name}_factory"
    return factory
