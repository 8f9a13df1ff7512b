"""A music bed from a text description: MusicGen (transformers) from a folder on disk.

`storyreel music "gentle piano, melancholic"` generates a WAV with a MusicGen
model saved in a local folder (`save_pretrained` layout: config.json, the
weights, the processor's tokenizer files) and adds it to the project as the
film-wide soundtrack reference (role soundtrack, bound to no shot or entity),
replacing any earlier one in the same revision (`storyreel undo` brings it
back). The cut lays it under the whole film, ducked under the takes' sound
(the spoken lines: tools/cut_audio.py), and the timeline shows it on its
music track.

The model folder is `--model FOLDER`, else `model` in the `[music]` table of
the project's storyreel-gpu.toml (else ~/.config/storyreel/gpu.toml), else
`music` in its `[models]` table. Nothing is ever downloaded: a missing folder
is an error that says how to get one (`hf download facebook/musicgen-small
--local-dir DIR`). Nothing else in storyreel needs these weights.

MusicGen makes at most `SEGMENT_S` seconds at a time (it was trained on 30 s
pieces); a longer bed repeats the piece with a crossfade. A bed lasts the
film's length by default, at most `MAX_MEDIA_S` (the references' limit).
`build_tiny` saves a random-weight MusicGen of a megabyte for tests.
"""

from __future__ import annotations

import tempfile
import time
import tomllib
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.references import MAX_MEDIA_S, prepare_reference, taken_handles

if TYPE_CHECKING:
    from storyreel.tools.edits import EditModel
    from storyreel.tools.project import Project
    from storyreel.tools.story import Reference, StoryPlan

SEGMENT_S = 30.0
"""The longest piece generated at once; a longer bed repeats it with a crossfade."""
CROSSFADE_S = 1.5
"""The crossfade between repeats of the piece."""
DEFAULT_FILM_S = 30.0
"""The bed's length for a film without shots or a target length."""
TARGET_RMS_DB = -20.0
"""The bed's loudness (RMS, dBFS) after levelling; peaks are kept below -1 dBFS."""
GET_WEIGHTS = (
    "get MusicGen weights once (about 2 GB) with: hf download facebook/musicgen-small "
    "--local-dir ~/models/musicgen-small, then pass --model ~/models/musicgen-small or set "
    '[music] model = "~/models/musicgen-small" in the project\'s storyreel-gpu.toml'
)


class MusicModelMissing(StoryreelError):
    """No usable MusicGen folder: the message says what is missing and how to get one."""


@dataclass
class MusicBed:
    """A generated bed: mono float32 `samples` at `rate` Hz, and how it was made."""

    samples: np.ndarray
    rate: int
    description: str
    model: Path
    seconds: float
    generation_s: float


def _config_files(project_root: Path | None) -> list[Path]:
    files = [project_root / "storyreel-gpu.toml"] if project_root else []
    return [*files, Path.home() / ".config" / "storyreel" / "gpu.toml"]


def configured_model(project_root: Path | None) -> str | None:
    """The model folder the settings name: `[music] model`, else `[models] music`, from the
    first settings file found (the project's storyreel-gpu.toml, else the user's)."""
    for path in _config_files(project_root):
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as error:
            raise InvalidInputError(f"{path} is not valid TOML: {error}") from error
        music = data.get("music")
        if isinstance(music, dict) and music.get("model"):
            return str(music["model"])
        models = data.get("models")
        if isinstance(models, dict) and models.get("music"):
            return str(models["music"])
        return None
    return None


def resolve_model(given: Path | str | None, project_root: Path | None = None) -> Path:
    """The MusicGen folder to load: `given`, else the settings' (see `configured_model`).

    Raises:
        MusicModelMissing: none named, the folder does not exist, or it holds no MusicGen
            model (config.json and weights); the message says how to get one.
    """
    name = str(given) if given is not None else configured_model(project_root)
    if not name:
        raise MusicModelMissing(f"no MusicGen model is set: {GET_WEIGHTS}")
    folder = Path(name).expanduser()
    if not folder.is_dir():
        raise MusicModelMissing(f"the MusicGen model folder {folder} does not exist: {GET_WEIGHTS}")
    missing = [] if (folder / "config.json").is_file() else ["config.json"]
    weights = list(folder.glob("*.safetensors")) + list(folder.glob("*.bin"))
    if not weights:
        missing.append("the weights (*.safetensors)")
    if not any((folder / f).is_file() for f in ("tokenizer.json", "spiece.model")):
        missing.append("the tokenizer (tokenizer.json or spiece.model)")
    if missing:
        raise MusicModelMissing(
            f"{folder} is not a complete MusicGen model folder (missing {', '.join(missing)}): "
            f"{GET_WEIGHTS}"
        )
    return folder


def film_seconds(plan: StoryPlan) -> float:
    """How long the film runs: its shots' planned durations, else its target length."""
    total = sum(shot.duration_s for shot in plan.shots)
    return float(total or plan.style.target_length_s or DEFAULT_FILM_S)


def load_model(folder: Path, device: str | None = None) -> tuple[Any, Any, str]:
    """The MusicGen model (evaluation mode, on `device`: cuda when there is one, else the
    CPU), its processor, and the device. Loads from `folder` only, never the network."""
    from transformers import AutoProcessor, MusicgenForConditionalGeneration
    from transformers.utils import logging as hf_logging

    from storyreel.renderer.gpu import GpuSettings

    device = device or GpuSettings().resolved_device()  # cuda when there is one
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        processor = AutoProcessor.from_pretrained(str(folder), local_files_only=True)
        model = MusicgenForConditionalGeneration.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise MusicModelMissing(
            f"{folder} could not be loaded as a MusicGen model ({error}): {GET_WEIGHTS}"
        ) from error
    finally:
        hf_logging.set_verbosity(verbosity)
    return model.to(device).eval(), processor, device


def generate(
    description: str,
    seconds: float,
    folder: Path,
    *,
    seed: int | None = None,
    device: str | None = None,
) -> MusicBed:
    """A bed of exactly `seconds` from `description` (mono float32 at the model's rate,
    levelled to `TARGET_RMS_DB`). Longer than `SEGMENT_S` (or the model's reach), the
    piece repeats with a `CROSSFADE_S` crossfade."""
    import torch

    if not description.strip():
        raise InvalidInputError('describe the music, e.g. storyreel music "gentle piano"')
    if seconds <= 0:
        raise InvalidInputError(f"the music must last more than 0 s, not {seconds:g}")
    started = time.perf_counter()
    model, processor, device = load_model(folder, device)
    rate = int(model.config.audio_encoder.sampling_rate)
    frame_rate = float(model.config.audio_encoder.frame_rate)
    codebooks = int(model.decoder.config.num_codebooks)
    reach = (int(model.decoder.config.max_position_embeddings) - codebooks - 1) / frame_rate
    piece_s = min(seconds, SEGMENT_S, reach)
    tokens = int(np.ceil(piece_s * frame_rate)) + codebooks  # the delay pattern's extra steps
    if seed is not None:
        torch.manual_seed(seed)
    inputs = processor(text=[description], padding=True, return_tensors="pt").to(device)
    with torch.inference_mode():
        audio = model.generate(**inputs, do_sample=True, max_new_tokens=tokens)
    piece = audio[0].float().mean(dim=0).cpu().numpy().astype(np.float32)
    piece = np.nan_to_num(piece)
    samples = _repeated(piece, round(seconds * rate), round(CROSSFADE_S * rate))
    return MusicBed(
        _levelled(samples), rate, description, folder, seconds, time.perf_counter() - started
    )


def _repeated(piece: np.ndarray, count: int, crossfade: int) -> np.ndarray:
    """`count` samples of `piece`, repeated with a crossfade where it is too short."""
    if len(piece) >= count or not len(piece):
        out = np.zeros(count, np.float32)
        out[: min(count, len(piece))] = piece[:count]
        return out
    crossfade = min(crossfade, len(piece) // 3)
    out = np.zeros(count, np.float32)
    out[: len(piece)] = piece
    filled = len(piece)
    fade_in = np.linspace(0.0, 1.0, crossfade, dtype=np.float32)
    while filled < count:
        start = filled - crossfade
        part = piece[: count - start].copy()
        if crossfade:
            overlap = min(crossfade, len(part))
            out[start : start + overlap] *= 1 - fade_in[:overlap]
            part[:overlap] *= fade_in[:overlap]
        out[start : start + len(part)] += part
        filled = start + len(part)
    return out


def _levelled(samples: np.ndarray) -> np.ndarray:
    """`samples` at `TARGET_RMS_DB`, with peaks kept below -1 dBFS (silence stays silent)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0
    if rms < 1e-7:
        return samples
    gain = 10 ** (TARGET_RMS_DB / 20) / rms
    peak = float(np.abs(samples).max()) * gain
    if peak > 10 ** (-1 / 20):
        gain *= 10 ** (-1 / 20) / peak
    return (samples * gain).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Write mono float samples (full scale 1.0) as a 16-bit WAV."""
    data = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data.tobytes())
    return path


def film_soundtracks(plan: StoryPlan) -> list[Reference]:
    """The film-wide soundtrack references (role soundtrack, bound to no shot or entity)."""
    return [
        r
        for r in plan.references
        if r.role.value == "soundtrack" and r.shot is None and r.entity is None
    ]


def _free_name(plan: StoryPlan) -> str:
    """ "music", else "music2", ... : a handle name nothing else (kept) uses."""
    taken = taken_handles(plan)  # the replaced one's name too: it goes in the same revision
    number = 1
    while f"@music{number if number > 1 else ''}" in taken:
        number += 1
    return f"music{number if number > 1 else ''}"


def add_music_bed(
    project: Project,
    description: str,
    *,
    model: Path | str | None = None,
    seconds: float | None = None,
    seed: int | None = None,
) -> tuple[list[EditModel], Reference, MusicBed, list[Reference]]:
    """Generate a bed and build the edits that make it the film's soundtrack.

    Returns (edits, the new reference, the bed, the film-wide soundtracks it replaces);
    apply the edits as one revision. The model folder is resolved (and a missing one
    refused, see `resolve_model`) before anything is generated.
    """
    from storyreel.tools.edits import RemoveReference

    folder = resolve_model(model, project.root)
    plan = project.memory.plan()
    length = film_seconds(plan) if seconds is None else float(seconds)
    if length > MAX_MEDIA_S:
        if seconds is not None:
            raise InvalidInputError(
                f"the music may last at most {MAX_MEDIA_S:.0f} s (a reference's limit), "
                f"not {seconds:g} s"
            )
        length = MAX_MEDIA_S
    bed = generate(description, length, folder, seed=seed)
    replaced = film_soundtracks(plan)
    with tempfile.TemporaryDirectory(prefix="storyreel-music-") as folder_name:
        wav = write_wav(Path(folder_name) / "music.wav", bed.samples, bed.rate)
        removals: list[EditModel] = [RemoveReference(handle=r.handle) for r in replaced]
        edit, reference = prepare_reference(project, wav, name=_free_name(plan), role="soundtrack")
    if edit is None:  # the very same sound again: keep it, drop the others
        replaced = [r for r in replaced if r.handle != reference.handle]
        removals = [RemoveReference(handle=r.handle) for r in replaced]
        return removals, reference, bed, replaced
    return [*removals, edit], reference, bed, replaced


def build_tiny(folder: Path | str) -> Path:
    """Save a tiny random-weight MusicGen (T5 text encoder, decoder, EnCodec audio codec at
    16 kHz, 25 frames per second, and a character tokenizer) to `folder`, for tests: it
    loads with from_pretrained on the CPU in well under a second and makes noise."""
    import string

    import torch
    from transformers import (
        EncodecConfig,
        EncodecFeatureExtractor,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenProcessor,
        T5Config,
        T5Tokenizer,
    )
    from transformers.utils import logging as hf_logging

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    vocab += [(c, -3.0) for c in string.ascii_lowercase + string.digits + ",.-"]
    vocab += [("\u2581" + c, -4.0) for c in string.ascii_lowercase]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    text = T5Config(
        vocab_size=len(vocab),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=1,
        num_heads=2,
        relative_attention_num_buckets=8,
    )
    audio = EncodecConfig(
        sampling_rate=16000,
        audio_channels=1,
        num_filters=4,
        hidden_size=8,
        upsampling_ratios=[8, 5, 4, 4],
        codebook_size=32,
        codebook_dim=8,
        num_lstm_layers=1,
        num_residual_layers=1,
        target_bandwidths=[0.5],
        normalize=False,
    )
    codebooks = max(1, audio.num_quantizers)
    decoder = MusicgenDecoderConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        max_position_embeddings=1024,
        num_codebooks=codebooks,
        pad_token_id=32,
        bos_token_id=32,
        audio_channels=1,
    )
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        config = MusicgenConfig(
            text_encoder=text.to_dict(), audio_encoder=audio.to_dict(), decoder=decoder.to_dict()
        )
        torch.manual_seed(0)
        model = MusicgenForConditionalGeneration(config)
        generation = model.generation_config
        generation.decoder_start_token_id = 32
        generation.pad_token_id = 32
        generation.do_sample = True
        generation.guidance_scale = 3.0
        generation.max_length = 1024
        model.save_pretrained(str(folder))
        extractor = EncodecFeatureExtractor(feature_size=1, sampling_rate=16000)
        MusicgenProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(
            str(folder)
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    return folder
