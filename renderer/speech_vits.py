"""The neural voice: a VITS model (Meta's MMS-TTS family) loaded with transformers from disk.

The model folder is what `VitsModel.save_pretrained` and `VitsTokenizer.save_pretrained`
write (config.json, model.safetensors, vocab.json, tokenizer_config.json). It is named in
the voice field ("vits:/models/mms-tts-eng", "mms:/models/mms-tts-eng", or the folder
alone) or, for the field "vits", in the settings (`models = {vits = "/models/x"}` in
storyreel-gpu.toml, renderer/gpu.py). storyreel never downloads it: on a machine with the
network, save one once and copy the folder:

    python -c "from transformers import VitsModel, VitsTokenizer as T; m = 'facebook/mms-tts-eng';
    VitsModel.from_pretrained(m).save_pretrained('/models/mms-tts-eng');
    T.from_pretrained(m).save_pretrained('/models/mms-tts-eng')"

(`huggingface-cli download facebook/mms-tts-eng --local-dir /models/mms-tts-eng` does the
same). MMS-TTS has a model per language (mms-tts-fra, mms-tts-deu, ...); some need the
`uroman` package to romanise their script first. A multi-speaker VITS model speaks as
speaker N with "vits:/models/x#N", else as a speaker chosen from the character's name.

Models stay loaded per folder for the life of the process; they run on the CPU (a line of
MMS-TTS takes well under a second there). Each line is rendered with a seed from its
text and voice, so the same line sounds the same every time.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.speech import Voice, VoiceUnavailable, stable_number

MODEL_FILES = ("config.json", "vocab.json")
"""Files a model folder must have (besides its weights)."""
SETTINGS_NAMES = ("vits", "mms")
"""The names of the neural voice's folder in the settings' `models` table."""

_HOW_TO_GET = (
    'Save one there on a machine with the network and copy the folder: python -c "from '
    "transformers import VitsModel, VitsTokenizer as T; m = 'facebook/mms-tts-eng'; "
    "VitsModel.from_pretrained(m).save_pretrained('{folder}'); "
    "T.from_pretrained(m).save_pretrained('{folder}')\" (or huggingface-cli download "
    "facebook/mms-tts-eng --local-dir {folder}); or speak with the offline voice: a voice "
    'field of "" or "espeak:en-us" needs no model.'
)


def model_folder(spec: str) -> tuple[Path, int | None]:
    """The model folder a neural voice names (and the speaker number after "#"), or the
    settings' folder when it names none; VoiceUnavailable (saying how to get one) when
    there is none or it is incomplete."""
    path, hash_sign, number = spec.strip().rpartition("#") if "#" in spec else (spec, "", "")
    speaker = None
    if hash_sign:
        if not number.strip().isdigit():
            raise ValueError(f"the neural voice {spec!r}: a speaker is a number, as in #3")
        speaker = int(number)
    path = path.strip()
    if not path:
        from storyreel.renderer.gpu import current_settings

        models = current_settings().models
        path = next((models[name] for name in SETTINGS_NAMES if models.get(name)), "")
        if not path:
            raise VoiceUnavailable(
                'the voice "vits" names no model folder and the settings name none: write '
                '"vits:/path/to/model" in the voice field, or set models = {vits = '
                '"/path/to/model"} in storyreel-gpu.toml. '
                + _HOW_TO_GET.format(folder="/models/mms-tts-eng")
            )
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise VoiceUnavailable(
            f"the neural voice needs a VITS / MMS-TTS model folder at {folder}, and there is "
            f"none. " + _HOW_TO_GET.format(folder=folder)
        )
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise VoiceUnavailable(
            f"{folder} is not a whole VITS model folder: it has no {', '.join(missing)} "
            "(it needs what VitsModel and VitsTokenizer save_pretrained write). "
            + _HOW_TO_GET.format(folder=folder)
        )
    return folder, speaker


class VitsBackend:
    """The neural speech backend (see the module docstring). `loads` counts model loads."""

    name = "vits"

    def __init__(self) -> None:
        self._models: dict[Path, tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self.loads = 0

    def _model(self, folder: Path) -> tuple[Any, Any]:
        with self._lock:
            if folder not in self._models:
                try:
                    from transformers import VitsModel, VitsTokenizer
                except ImportError as error:
                    raise VoiceUnavailable(
                        "the neural voice needs transformers and torch: "
                        "`pip install 'storyreel[gpu]'`"
                    ) from error
                try:
                    model = VitsModel.from_pretrained(folder).eval()
                    tokenizer = VitsTokenizer.from_pretrained(folder)
                except (OSError, ValueError) as error:
                    raise VoiceUnavailable(
                        f"the VITS model in {folder} does not load ({error}). "
                        + _HOW_TO_GET.format(folder=folder)
                    ) from error
                self._models[folder] = (model, tokenizer)
                self.loads += 1
            return self._models[folder]

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """`text` in the model's voice: (float32 mono, the model's sampling rate)."""
        import torch

        folder, speaker = model_folder(voice.spec)
        model, tokenizer = self._model(folder)
        inputs = tokenizer(text, return_tensors="pt")
        if inputs["input_ids"].shape[-1] == 0:
            raise ValueError(
                f"the VITS model in {folder} has no letters for {text!r}: its vocabulary "
                "is for another script or language (some MMS models need `uroman`)"
            )
        speakers = int(getattr(model.config, "num_speakers", 1) or 1)
        arguments: dict[str, Any] = {}
        if speakers > 1:
            number = speaker if speaker is not None else stable_number(voice.speaker or "")
            arguments["speaker_id"] = number % speakers
        seed = stable_number("vits", str(folder), voice.speaker or "", text) % (2**31)
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            waveform = model(**inputs, **arguments).waveform
        samples = waveform[0].float().cpu().numpy().reshape(-1)
        return np.nan_to_num(samples).astype(np.float32), int(model.config.sampling_rate)

    @staticmethod
    def build_tiny(folder: Path) -> Path:
        """Save a tiny random-weight VITS model and its tokenizer to `folder` (lower-case
        letters and punctuation; 16 kHz): a valid neural voice for tests. It makes noise,
        not speech, for about as long as a line would take."""
        import torch
        from transformers import VitsConfig, VitsModel, VitsTokenizer

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        symbols = ["<pad>", "<unk>", *" abcdefghijklmnopqrstuvwxyz'.,?!-"]
        (folder / "vocab.json").write_text(json.dumps({s: i for i, s in enumerate(symbols)}))
        tokenizer = VitsTokenizer(
            str(folder / "vocab.json"), language=None, add_blank=True, phonemize=False
        )
        torch.manual_seed(0)
        config = VitsConfig(
            vocab_size=len(symbols),
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            ffn_dim=32,
            flow_size=16,
            spectrogram_bins=17,
            upsample_initial_channel=32,
            upsample_rates=[8, 8, 4],
            upsample_kernel_sizes=[16, 16, 8],
            resblock_kernel_sizes=[3],
            resblock_dilation_sizes=[[1, 3]],
            duration_predictor_filter_channels=16,
            duration_predictor_num_flows=1,
            prior_encoder_num_flows=1,
            prior_encoder_num_wavenet_layers=1,
            posterior_encoder_num_wavenet_layers=1,
            depth_separable_num_layers=1,
            sampling_rate=16_000,
        )
        VitsModel(config).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        return folder
