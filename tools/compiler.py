"""The prompt compiler: shot + continuity memory + style -> RenderRequest.

Every render request is compiled from the memory, never from loose text:
each character's canonical description and wardrobe and the location's
description are inserted word for word, the camera language comes from the
shot's checked fields (with whose shoulder an OTS looks over), the staging and
the speaker of the dialogue are said in a few words, and `continues_from`
hands the previous shot's last frame over as the first frame (else a picked
still, `storyreel keyframes pick`, is the first frame). The same plan always
compiles to the same request (and so the same hash).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from storyreel.renderer.backend import Capabilities
from storyreel.renderer.request import ReferenceInput, RenderRequest
from storyreel.tools.edits import shot_bound_references
from storyreel.tools.errors import StoryreelError
from storyreel.tools.plan_view import (
    effective_key_light,
    effective_key_light_hardness,
    effective_key_light_kelvin,
    effective_time_of_day,
)
from storyreel.tools.project import file_inside
from storyreel.tools.story import (
    DEFAULT_KELVIN,
    REFERENCE_LIMITS,
    REFERENCE_TOTAL_LIMIT,
    Character,
    Location,
    Reference,
    Shot,
    StoryPlan,
    colour_hex,
)
from storyreel.tools.vocabulary import MOVES

SIZE_WORDS = {
    "ECU": "extreme close-up",
    "CU": "close-up",
    "MCU": "medium close-up",
    "MS": "medium shot",
    "MLS": "medium long shot",
    "LS": "wide shot",
    "ELS": "extreme wide establishing shot",
}
ANGLE_WORDS = {
    "eye_level": "eye-level",
    "high": "high angle",
    "low": "low angle",
    "overhead": "overhead bird's-eye view",
    "worms_eye": "worm's-eye view",
    "dutch": "dutch angle",
    "ots": "over-the-shoulder",
    "profile": "profile view",
    "back": "from behind",
}

# Colour words found in wardrobe and hair descriptions -> RGB, so a character
# in "a red raincoat" is red in every previz shot.
COLOUR_WORDS = {
    "red": "#c0392b",
    "crimson": "#a4161a",
    "scarlet": "#d62828",
    "orange": "#e67e22",
    "yellow": "#f1c40f",
    "gold": "#d4a017",
    "green": "#2e8b57",
    "olive": "#6b8e23",
    "teal": "#16817a",
    "blue": "#1f5fbf",
    "navy": "#1b2a4a",
    "purple": "#6c3483",
    "violet": "#8e44ad",
    "pink": "#e377c2",
    "brown": "#7b4a2a",
    "tan": "#c8a27a",
    "beige": "#d8c8a8",
    "white": "#eeeeee",
    "grey": "#8a8a8a",
    "gray": "#8a8a8a",
    "silver": "#b8b8c0",
    "black": "#1c1c1c",
    "blonde": "#e8cf7a",
    "blond": "#e8cf7a",
    "ginger": "#c8642a",
    "auburn": "#8b3a1a",
}
_HAIR_RE = re.compile(r"\b(\w+)\s+(?:hair|beard)\b")


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def _colour_from_hash(text: str) -> str:
    value = _stable_int(text)
    red, green, blue = 60 + value % 160, 60 + (value >> 8) % 160, 60 + (value >> 16) % 160
    return f"#{red:02x}{green:02x}{blue:02x}"


def _first_colour(text: str) -> str | None:
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in COLOUR_WORDS:
            return COLOUR_WORDS[word]
    return None


def previz_palette(location: Location) -> tuple[list[str], list[str]]:
    """The location's palette as previz reads it, and the words that are not colours.

    Colours previz reads as they are (hex codes, CSS names) pass unchanged, so the requests
    of older takes stay the same; the other colour words ("amber", "deep blue") pass as hex
    codes. A word that is no colour at all (stored before palettes were checked) is left
    out, never passed on to crash the render.
    """
    from PIL import ImageColor  # lazily: only renders need it

    usable: list[str] = []
    left_out: list[str] = []
    for colour in location.palette:
        try:
            ImageColor.getrgb(colour)
        except ValueError:
            code = colour_hex(colour)
            if code is None:
                left_out.append(colour)
            else:
                usable.append(code)
        else:
            usable.append(colour)
    return usable, left_out


def _palette_notes(location: Location | None) -> dict[str, list[str]]:
    """`{"palette_left_out": [...]}` with what the render is told, or {} when nothing is."""
    left_out = previz_palette(location)[1] if location else []
    if not left_out or location is None:
        return {}
    words = ", ".join(repr(word) for word in left_out)
    return {
        "palette_left_out": [
            f"the palette of {location.handle} holds {words}, not a colour: left out "
            f"(fix it with: storyreel location update {location.handle} --palette ...)"
        ]
    }


def subject_look(character: Character) -> dict[str, object]:
    """The previz look of a character, derived only from the memory (same in every shot)."""
    hair = _HAIR_RE.search(character.description.lower())
    accent = _first_colour(hair.group(1)) if hair else None
    seed = _stable_int(character.name.lower())
    return {
        "name": character.name,
        "color": _first_colour(character.wardrobe)
        or _first_colour(character.description)
        or _colour_from_hash(character.name),
        "accent": accent or _colour_from_hash(character.name + "/hair"),
        "build": round(0.9 + (seed % 21) / 100, 2),
        "height": round(0.92 + ((seed >> 8) % 17) / 100, 2),
    }


def character_text(character: Character) -> str:
    """The canonical text of a character, word for word as in the bible."""
    text = f"{character.name}: {character.description}"
    return text + (f", wearing {character.wardrobe}" if character.wardrobe else "")


def key_light_words(
    side: str | None, hardness: str | None = None, kelvin: int | None = None
) -> str:
    """The key light in words: "key light from the left", "hard, warm key light ... (3200 K)"."""
    adjectives = [hardness] if hardness else []
    if kelvin:
        adjectives.append("warm" if kelvin < 4500 else "cool" if kelvin > 6500 else "neutral")
    text = f"{', '.join(adjectives)} key light" if adjectives else "key light"
    text += f" from the {side}" if side else ""
    return text + (f" ({kelvin} K)" if kelvin else "")


def location_text(
    location: Location,
    time_of_day: str | None,
    key_light: str | None,
    *,
    hardness: str | None = None,
    kelvin: int | None = None,
) -> str:
    """The canonical text of a location with its time of day, weather and light.

    `hardness` and `kelvin` are said only when given (the compiler gives them when
    they differ from soft, 5600 K, or when the shot sets them itself).
    """
    parts = [f"{location.name}: {location.description}"]
    if time_of_day:
        parts.append(time_of_day.replace("_", " "))
    if location.weather:
        parts.append(location.weather)
    if key_light or hardness or kelvin:
        parts.append(key_light_words(key_light, hardness, kelvin))
    return ", ".join(parts)


def _light_said(plan: StoryPlan, shot: Shot) -> tuple[str | None, int | None]:
    """The key light hardness and kelvins worth saying: overrides, or non-default values."""
    hardness = effective_key_light_hardness(plan, shot)
    kelvin = effective_key_light_kelvin(plan, shot)
    said_hardness = hardness if shot.key_light_hardness or hardness == "hard" else None
    said_kelvin = kelvin if shot.key_light_kelvin or kelvin not in (None, DEFAULT_KELVIN) else None
    return said_hardness, said_kelvin


def angle_words(shot: Shot) -> str:
    """The angle in words; an OTS says whose shoulder: "over Tom's shoulder"."""
    if shot.ots_over:
        return f"over {shot.ots_over}'s shoulder"
    return ANGLE_WORDS[shot.angle.value]


def staging_sentences(shot: Shot, style: str = "compact") -> list[str]:
    """Where each staged character stands and faces, in a few words.

    compact: "Staging: Mara on the left of the frame, facing right; Tom ...".
    prose: one sentence each, "Mara is on the left of the frame, facing right."
    """
    if not shot.staging:
        return []
    if style == "prose":
        return [f"{mark.character} is {mark.where()}." for mark in shot.staging]
    return ["Staging: " + "; ".join(mark.words() for mark in shot.staging) + "."]


def dialogue_sentence(shot: Shot) -> str:
    """`Mara says: "Come home."` when the shot's line has a speaker; else nothing."""
    if shot.dialogue and shot.dialogue_speaker:
        return f'{shot.dialogue_speaker} says: "{shot.dialogue}"'
    return ""


RETAKE_HINTS = ("move", "still")
"""Hints a retake can carry when the critic found the camera wrong: move more, or hold still."""


def hinted_prompt(prompt: str, shot: Shot, hint: str) -> str:
    """`prompt` with a sentence that pushes the model towards the planned camera.

    "move": the planned movement is asked for strongly (the take barely moved or
    went the wrong way); "still": a locked-off camera (a still shot drifted).
    """
    if hint == "still":
        return f"{prompt} Locked-off camera on a tripod: the frame does not move at all."
    if hint == "move":
        words = MOVES[shot.movement].compact
        return f"{prompt} Strong, clearly visible camera movement from start to end: {words}."
    raise ValueError(f"unknown retake hint {hint!r}: use one of {', '.join(RETAKE_HINTS)}")


def compose_prompt(plan: StoryPlan, shot: Shot, style: str = "compact") -> str:
    """The text prompt of a shot: camera language, action, entities word for word, style.

    `style` is the backend's `Capabilities.prompt_style`: "compact" puts the camera
    terms first (previz, Wan); "prose" writes a present-tense paragraph that opens
    on the action and ends on the camera move, as LTX-Video's and CogVideoX's
    prompt guides ask (long, concrete, chronological descriptions).
    """
    time_of_day = effective_time_of_day(plan, shot)
    key_light = effective_key_light(plan, shot)
    speed = "" if shot.movement_speed == "medium" else f", {shot.movement_speed}"
    people = [c for name in shot.characters if (c := plan.find_character(name))]
    location = plan.find_location(shot.location) if shot.location else None
    hardness, kelvin = _light_said(plan, shot)
    setting = (
        location_text(location, time_of_day, key_light, hardness=hardness, kelvin=kelvin)
        if location
        else time_of_day.replace("_", " ")
        if time_of_day
        else ""
    )
    if not location and (hardness or kelvin):
        light = key_light_words(key_light, hardness, kelvin)
        setting = f"{setting}, {light}" if setting else light
    extras = [f"Lighting: {shot.lighting}." if shot.lighting else ""]
    extras.append(f"Look: {plan.style.look}." if plan.style.look else "")
    if style == "prose":
        framing = f"{SIZE_WORDS[shot.size.value]}, {angle_words(shot)}"
        camera = MOVES[shot.movement].prose
        lines = [
            f"{shot.action[:1].upper()}{shot.action[1:]}.",
            *(f"{character_text(c)}." for c in people),
            *staging_sentences(shot, "prose"),
            dialogue_sentence(shot),
            f"{setting[:1].upper()}{setting[1:]}." if setting else "",
            f"A {framing} through a {shot.lens_mm}mm lens with "
            f"{shot.depth_of_field.value} depth of field.",
            f"{camera}{speed}." if camera else "",
            *extras,
        ]
        return " ".join(line for line in lines if line)
    camera_terms = ", ".join(
        [
            SIZE_WORDS[shot.size.value],
            angle_words(shot),
            MOVES[shot.movement].compact + speed,
            f"{shot.lens_mm}mm lens",
            f"{shot.depth_of_field.value} depth of field",
        ]
    )
    lines = [f"{camera_terms}.", f"{shot.action}."]
    lines.extend(f"{character_text(c)}." for c in people)
    lines.extend(staging_sentences(shot))
    lines.append(dialogue_sentence(shot))
    if setting:
        lines.append(f"{setting}.")
    return " ".join(line for line in [*lines, *extras] if line)


def _staged(look: dict[str, object], shot: Shot) -> dict[str, object]:
    """A subject's previz look with its staging, when the shot stages it (else unchanged)."""
    mark = shot.stage_mark(str(look["name"]))
    if mark is None:
        return look
    staged = dict(look)
    if mark.position is not None:
        staged["position"] = mark.position.value
    if mark.facing is not None:
        staged["facing"] = mark.facing.value
    return staged


FirstFrameSource = Callable[[int], Path | None]
"""Given a shot id, the path of its current take's last frame (None if it has none)."""

KeyframeSource = Callable[[int, int], Path | None]
"""Given a shot id and a still number, the path of that candidate still (None when it is
missing or damaged; see tools/keyframes.py)."""


def select_references(
    plan: StoryPlan,
    shot: Shot,
    capabilities: Capabilities | None = None,
) -> tuple[list[Reference], list[str]]:
    """The references for one shot's request, by priority, within the limits.

    Priority: bound to this shot > bound to a character in the shot or to its
    location > film-wide style references. Limits: at most 9 images, 3 videos
    and 3 audio clips (12 in all), or less when the backend declares less.
    Returns the chosen references and a plain note for each one left out.
    """
    characters = set(shot.characters)
    entity_bound = [
        r
        for r in plan.references
        if r.entity is not None and (r.entity in characters or r.entity == shot.location)
    ]
    style = [
        r
        for r in plan.references
        if r.entity is None and r.shot is None and r.role.value == "style"
    ]
    bound = shot_bound_references(plan, shot)
    ordered: list[Reference] = []
    seen: set[str] = set()
    for ref in [*bound, *entity_bound, *style]:
        if ref.handle not in seen:
            seen.add(ref.handle)
            ordered.append(ref)
    caps = dict(REFERENCE_LIMITS)
    if capabilities is not None:
        caps["image"] = min(caps["image"], capabilities.max_reference_images)
        caps["video"] = min(caps["video"], capabilities.max_reference_videos)
        caps["audio"] = min(caps["audio"], capabilities.max_audio)
    chosen: list[Reference] = []
    left_out: list[str] = []
    for ref in ordered:
        kind = ref.kind.value
        used = sum(1 for r in chosen if r.kind == ref.kind)
        if used >= caps[kind] or len(chosen) >= REFERENCE_TOTAL_LIMIT:
            if caps[kind] == 0 and ref.motion and ref.motion == shot.movement.value:
                continue  # the shot took the clip's camera move: the plan carries it
            left_out.append(f"{ref.handle} (at most {caps[kind]} {kind} reference(s) here)")
        else:
            chosen.append(ref)
    return chosen, left_out


def compile_request(
    plan: StoryPlan,
    shot: Shot,
    *,
    seed: int,
    project_root: Path,
    first_frame_of: FirstFrameSource,
    capabilities: Capabilities | None = None,
    keyframe_of: KeyframeSource | None = None,
) -> RenderRequest:
    """Compile one shot into a complete RenderRequest.

    The first frame: for a shot that `continues_from` another, the last frame of that
    shot's take; else, for a shot with a picked still (`shot.keyframe`), that still. When
    both are set, `continues_from` wins (continuity across the cut comes first; picking a
    still for such a shot is refused, and the pick stays for when it no longer continues).

    Args:
        plan: the current plan (bible + shots + style).
        shot: the shot to compile.
        seed: the random seed of this take.
        project_root: the project folder (reference paths are relative to it).
        first_frame_of: finds the last frame of another shot's current take,
            used when `shot.continues_from` is set.
        keyframe_of: finds the file of a shot's picked still, used when `shot.keyframe`
            is set (None: no still can be found, so a pick is refused).

    Raises:
        StoryreelError: the shot continues from a shot that has no take yet, or its picked
            still is missing or damaged.
    """
    width, height = plan.style.frame_size()
    fps = plan.style.fps
    first_frame = None
    if shot.continues_from is not None:
        path = first_frame_of(shot.continues_from)
        if path is None:
            raise StoryreelError(
                f"shot {shot.id} continues from shot {shot.continues_from}, which has no take "
                f"yet: render shot {shot.continues_from} first "
                f"(storyreel render {shot.continues_from} {shot.id})"
            )
        first_frame = str(path)
    elif shot.keyframe is not None:
        path = keyframe_of(shot.id, shot.keyframe) if keyframe_of is not None else None
        if path is None:
            raise StoryreelError(
                f"shot {shot.id} opens on its picked still {shot.keyframe}, whose file in "
                f"media/keyframes is missing or damaged: make fresh stills (storyreel keyframes "
                f"{shot.id}) and pick one (storyreel keyframes pick {shot.id} N), or clear the "
                f"pick (storyreel keyframes unpick {shot.id})"
            )
        first_frame = str(path)
    location = plan.find_location(shot.location) if shot.location else None
    characters = [c for c in (plan.find_character(n) for n in shot.characters) if c]
    if shot.ots_over and len(characters) > 1:
        # previz draws the second subject as the blurred shoulder in front of the camera
        owner = next(c for c in characters if c.name == shot.ots_over)
        others = [c for c in characters if c is not owner]
        characters = [others[0], owner, *others[1:]]
    chosen, left_out = select_references(plan, shot, capabilities)
    inputs = [
        ReferenceInput(
            path=str(file_inside(project_root, ref.path)),
            kind=ref.kind.value,
            role=ref.role.value,
            handle=ref.handle,
            subject=ref.entity,
        )
        for ref in chosen
    ]
    audio = next((i.path for i in inputs if i.kind == "audio"), None)
    motion = next((i.path for i in inputs if i.kind == "video" and i.role == "motion"), None)
    previz = {
        "size": shot.size.value,
        "angle": shot.angle.value,
        "movement": shot.movement.value,
        "speed": shot.movement_speed,
        "lens_mm": shot.lens_mm,
        "depth_of_field": shot.depth_of_field.value,
        "time_of_day": effective_time_of_day(plan, shot),
        "key_light": effective_key_light(plan, shot),
        "color_temp_k": effective_key_light_kelvin(plan, shot) or DEFAULT_KELVIN,
        "subjects": [_staged(subject_look(c), shot) for c in characters],
        "location": {
            "name": location.name,
            "palette": previz_palette(location)[0],
            "seed": _stable_int(location.name.lower()),
        }
        if location
        else None,
        "subtitle": shot.dialogue,
    }
    if capabilities is None or capabilities.stages:  # not in other backends' requests
        previz["action"] = shot.action
        previz["speaker"] = shot.dialogue_speaker
        described = {c.name: character_text(c) for c in characters}
        for subject in previz["subjects"]:  # type: ignore[union-attr]
            subject["description"] = described.get(str(subject["name"]), "")
    options: dict[str, object] = {
        "previz": previz,
        "references_left_out": left_out,
        **_palette_notes(location),
    }
    if shot.dialogue.strip():
        speaker = plan.find_character(shot.dialogue_speaker) if shot.dialogue_speaker else None
        options["speech"] = {
            "text": shot.dialogue.strip(),
            "speaker": speaker.name if speaker else None,
            "voice": speaker.voice if speaker else "",
        }
    return RenderRequest(
        prompt=compose_prompt(plan, shot, capabilities.prompt_style if capabilities else "compact"),
        negative_prompt=plan.style.negative_prompt,
        width=width,
        height=height,
        frames=max(1, round(shot.duration_s * fps)),
        fps=fps,
        seed=seed,
        first_frame=first_frame,
        references=[i for i in inputs if i.kind == "image"],
        motion_video=motion,
        audio=audio,
        options=options,
    )
