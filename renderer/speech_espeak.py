"""The offline voice: eSpeak NG from the `espeakng-loader` wheel, driven through ctypes.

The wheel ships `libespeak-ng` and its voice data (`espeakng_loader.get_library_path()`,
`get_data_path()`): nothing is downloaded, no model is needed. The library speaks into a
callback at its own rate (22050 Hz); each line is spoken by a short-lived process of its
own (`_SPEAK`), so it sounds the same whatever was spoken before it.

The voice field's vocabulary (words separated by commas or spaces, any case):

    language     an eSpeak language: en, en-us, en-gb (= en), en-gb-x-rp, en-gb-scotland,
                 fr, de, es, es-419, it, pt-br, ... (default en-us)
    variant      an eSpeak variant, alone or after a language with "+": f1-f5 (female),
                 m1-m8 (male), croak, whisper, klatt, ... ("en-us+f3", "f2")
    sex          female / woman / girl / she  -  male / man / boy / he
    age          child / kid (higher, quicker)  -  old / elderly / aged (lower, slower)
    pitch        low / deep / bass / baritone  -  high / bright / soprano;  warm (a
                 little lower);  pitch=0..100
    pace         slow / measured  -  fast / quick / rapid;  speed=80..450 (words a minute)
    melody       flat / monotone  -  lively / expressive / animated
    loudness     quiet / soft / gentle / hushed  -  loud / booming / strong
    texture      whisper / whispering  -  gravelly / rough / hoarse / raspy / husky (croak)

An empty field gives each character a voice of its own, chosen from its name (the same
every time): a variant of its sex (from the voice field, else from the words of its
description, else from its name), a pitch, a pace and a melody. Two characters may, rarely,
land close: naming a variant or a pitch in one's voice field separates them. A line with
no speaker is read by the narrator voice (`NARRATOR`). A field that starts "espeak:" is
read strictly (a word outside the vocabulary is an error); otherwise unknown words (a
voice described for people: "a voice like gravel in honey") are ignored.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.renderer.speech import Voice, VoiceUnavailable, stable_number

FEMALE_VARIANTS = ("f1", "f2", "f3", "f4")
MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m6", "m7")
CHILD_VARIANT = "f5"

_SEX_WORDS = {
    "female": "female", "woman": "female", "women": "female", "girl": "female",
    "she": "female", "her": "female", "lady": "female", "feminine": "female",
    "mother": "female", "grandmother": "female", "sister": "female", "wife": "female",
    "daughter": "female", "aunt": "female", "queen": "female", "mrs": "female",
    "male": "male", "man": "male", "men": "male", "boy": "male", "he": "male",
    "his": "male", "gentleman": "male", "masculine": "male", "father": "male",
    "grandfather": "male", "brother": "male", "husband": "male", "son": "male",
    "uncle": "male", "king": "male", "mr": "male",
}  # fmt: skip
_AGE_WORDS = {"child": "child", "kid": "child", "little": "child", "old": "old",
              "elderly": "old", "aged": "old", "grandmother": "old", "grandfather": "old",
              "grandma": "old", "grandpa": "old"}  # fmt: skip
_SETTINGS_WORDS: dict[str, dict[str, Any]] = {
    **{word: {"pitch": 28} for word in ("low", "deep", "bass", "baritone")},
    **{word: {"pitch": 72} for word in ("high", "bright", "soprano", "shrill")},
    "warm": {"pitch_shift": -6},
    **{word: {"rate": 140} for word in ("slow", "measured", "drawling")},
    **{word: {"rate": 215} for word in ("fast", "quick", "rapid", "hurried")},
    **{word: {"range": 15} for word in ("flat", "monotone", "dry")},
    **{word: {"range": 85} for word in ("lively", "expressive", "animated")},
    **{word: {"gain": 0.6} for word in ("quiet", "soft", "gentle", "hushed")},
    **{word: {"gain": 1.4} for word in ("loud", "booming", "strong")},
    **{word: {"texture": "whisper"} for word in ("whisper", "whispering", "whispered")},
    **{word: {"texture": "croak"} for word in ("gravelly", "rough", "hoarse", "raspy", "husky")},
}
_FILLER = {"a", "an", "and", "the", "voice", "with", "of", "very", "slightly", "bit", "in"}
_LANGUAGE_ALIASES = {"en-gb": "en", "english": "en", "american": "en-us", "british": "en"}


@dataclass(frozen=True)
class EspeakSettings:
    """What eSpeak is told for one voice: language, variant, pitch and range (0..100),
    rate (words a minute), and the gain the line is levelled with."""

    language: str = "en-us"
    variant: str = ""
    pitch: int = 50
    range: int = 50
    rate: int = 170
    gain: float = 1.0

    @property
    def name(self) -> str:
        """The voice name eSpeak is given: "en-us+f3"."""
        return self.language + (f"+{self.variant}" if self.variant else "")


NARRATOR = EspeakSettings(language="en-us", variant="m1", pitch=42, range=45, rate=165)
"""The voice of lines with no speaker."""


def _data() -> tuple[str, str]:
    try:
        import espeakng_loader
    except ImportError as error:
        raise VoiceUnavailable(
            "the offline voice needs eSpeak NG, which comes in the espeakng-loader wheel: "
            "`pip install espeakng-loader` (no download beyond the package; it ships the "
            "library and its voices)"
        ) from error
    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


@functools.cache
def languages() -> frozenset[str]:
    """Every language eSpeak has here (lower case file names: "en", "en-us", "fr")."""
    return frozenset(p.name.lower() for p in (Path(_data()[1]) / "lang").rglob("*") if p.is_file())


@functools.cache
def variants() -> frozenset[str]:
    """Every voice variant eSpeak has here ("f3", "m1", "croak", "whisper", ...)."""
    return frozenset(p.name.lower() for p in (Path(_data()[1]) / "voices" / "!v").iterdir())


def espeak_settings(voice: Voice) -> EspeakSettings:
    """The eSpeak settings a voice field, its speaker and their description give
    (the module docstring has the vocabulary). ValueError on an unknown word when
    `voice.strict`."""
    if not voice.spec.strip() and voice.speaker is None:
        return NARRATOR
    known_languages, known_variants = languages(), variants()
    changes: dict[str, Any] = {}
    sex = age = texture = None
    shift = 0
    unknown = []
    for word in re.split(r"[,;\s]+", voice.spec.strip().lower()):
        if not word or word in _FILLER:
            continue
        key, _, value = word.partition("=")
        if value and key in ("pitch", "speed", "rate", "range"):
            if not value.isdigit():
                unknown.append(word)
                continue
            bounds = (80, 450) if key in ("speed", "rate") else (0, 100)
            changes["rate" if key == "speed" else key] = min(max(int(value), bounds[0]), bounds[1])
            continue
        language, plus, variant = word.partition("+")
        language = _LANGUAGE_ALIASES.get(language, language)
        if language in known_languages and (not plus or variant in known_variants):
            changes["language"] = language
            if plus:
                changes["variant"] = variant
        elif word in known_variants:
            changes["variant"] = word
        elif word in _SEX_WORDS or word in _AGE_WORDS:
            sex = _SEX_WORDS.get(word, sex)
            age = _AGE_WORDS.get(word, age)
        elif word in _SETTINGS_WORDS:
            found = dict(_SETTINGS_WORDS[word])
            shift += found.pop("pitch_shift", 0)
            texture = found.pop("texture", texture)
            changes.update(found)
        else:
            unknown.append(word)
    if unknown and voice.strict:
        raise ValueError(
            f"the eSpeak voice {voice.spec!r} has words it does not know: "
            f"{', '.join(unknown)}. It understands a language (en-us, en-gb, fr, ...), "
            "a variant (f1-f5, m1-m8, croak, whisper; 'en-us+f3'), female/male, child/old, "
            "low/high/warm, slow/fast, flat/lively, quiet/loud, whisper/gravelly, pitch=0..100 "
            "and speed=80..450"
        )
    return _personal(voice, changes, sex, age, texture, shift)


def _personal(
    voice: Voice,
    changes: dict[str, Any],
    sex: str | None,
    age: str | None,
    texture: str | None,
    shift: int,
) -> EspeakSettings:
    """A character's own voice: what the field said, the rest chosen from its name."""
    number = stable_number("voice", (voice.speaker or "").strip().lower())
    hinted_sex, hinted_age = _described(voice.hint)
    sex = sex or hinted_sex or ("female" if number % 2 else "male")
    age = age or hinted_age
    if age == "child":
        variant = CHILD_VARIANT
    else:
        family = FEMALE_VARIANTS if sex == "female" else MALE_VARIANTS
        variant = family[(number >> 4) % len(family)]
    if texture == "whisper":
        variant = "whisperf" if sex == "female" else "whisper"
    elif texture == "croak":
        variant = "croak"
    settings = EspeakSettings(
        variant=variant,
        pitch=(28, 40, 52, 64, 76)[(number >> 8) % 5],
        range=40 + (number >> 12) % 31,
        rate=158 + (number >> 16) % 28,
    )
    if age == "child":
        settings = replace(settings, pitch=75, rate=settings.rate + 10)
    elif age == "old":
        settings = replace(settings, pitch=settings.pitch - 8, rate=settings.rate - 18)
    settings = replace(settings, **changes)
    return replace(settings, pitch=min(100, max(0, settings.pitch + shift)))


def _described(hint: str) -> tuple[str | None, str | None]:
    """Sex and age from a description's words ("an old fisherman": male, old)."""
    sex = age = None
    for word in re.findall(r"[a-z]+", hint.lower()):
        if word.endswith(("woman", "women")):
            sex = sex or "female"
        elif word in _SEX_WORDS and word not in ("he", "his", "she", "her"):
            sex = sex or _SEX_WORDS[word]
        elif word.endswith(("man", "men")) and word not in ("human", "humans"):
            sex = sex or "male"
        age = age or _AGE_WORDS.get(word)
    return sex, age


# eSpeak keeps state between lines inside the library (its pitch flutter runs on from one
# line into the next), so a line spoken after another sounds slightly different from the
# same line spoken first, and a take would not be the same file on a cluster worker. Each
# line is therefore spoken by a fresh process that loads the library, speaks once and
# exits (~20 ms): every line sounds the same wherever and whenever it is spoken.
_SPEAK = r"""
import ctypes, json, sys
job = json.loads(sys.stdin.read())
lib = ctypes.CDLL(job["library"])
lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                             ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
rate = lib.espeak_Initialize(2, 0, job["data"].encode(), 0)  # synchronous, into a callback
if rate <= 0:
    sys.exit("eSpeak NG did not start with its data at " + job["data"])
chunks = []
@ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
def receive(wav, count, events):
    if count > 0 and wav:
        chunks.append(ctypes.string_at(wav, count * 2))
    return 0
lib.espeak_SetSynthCallback(receive)
if lib.espeak_SetVoiceByName(job["voice"].encode()) != 0:
    sys.exit("eSpeak has no voice " + job["voice"])
for number, value in job["parameters"]:  # rate 1, volume 2, pitch 3, range 4
    lib.espeak_SetParameter(number, value, 0)
lib.espeak_ng_SetRandSeed(ctypes.c_long(job["seed"]))
text = job["text"].encode()
status = lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 1, None, None)  # UTF-8 characters
lib.espeak_Synchronize()
if status != 0:
    sys.exit("eSpeak could not speak (error %d)" % status)
sys.stdout.buffer.write(rate.to_bytes(4, "little") + b"".join(chunks))
"""
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4


class EspeakBackend:
    """The offline speech backend: eSpeak NG (see the module docstring)."""

    name = "espeak"

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """`text` in the eSpeak voice `voice` names: (float32 mono, 22050)."""
        settings = espeak_settings(voice)
        library, data = _data()
        job = {
            "library": library,
            "data": data,
            "voice": settings.name,
            "parameters": [
                (_RATE, settings.rate),
                (_PITCH, settings.pitch),
                (_RANGE, settings.range),
                (_VOLUME, 100),
            ],
            "seed": stable_number(settings.name, text) % 2**31,
            "text": text,
        }
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-S", "-c", _SPEAK],
                input=json.dumps(job).encode(),
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise VoiceUnavailable(f"eSpeak NG could not run here: {error}") from error
        if done.returncode != 0 or len(done.stdout) < 4:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise VoiceUnavailable(
                f"eSpeak NG could not speak {text!r} in {settings.name!r}: "
                f"{said[-1] if said else f'exit code {done.returncode}'} (reinstall it with "
                "`pip install --force-reinstall espeakng-loader`)"
            )
        rate = int.from_bytes(done.stdout[:4], "little")
        pcm = np.frombuffer(done.stdout[4:], "<i2")
        return pcm.astype(np.float32) / 32768.0, rate

    def loudness(self, voice: Voice) -> float:
        """How loud the voice is relative to every line (a "quiet" voice: 0.6)."""
        return espeak_settings(voice).gain
