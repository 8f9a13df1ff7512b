"""`storyreel shot ...`: add, change, move, remove, lock and unlock shots."""

from __future__ import annotations

from typing import Annotated

import typer

from storyreel.apps.cli.common import HERE, ProjectOption, apply_and_report, new_group, split_list
from storyreel.tools.vocabulary import (
    Angle,
    LightSide,
    Movement,
    ShotSize,
    TimeOfDay,
    Transition,
    accepted_values,
)

shot_app = new_group(
    "Shots: the shot list. Ids are stable (shot 3 stays shot 3 when others move or go); "
    "the order is separate. Sizes, angles and movements accept everyday words "
    '("close-up", "push in", "wide shot").'
)

IdArg = Annotated[int, typer.Argument(help="The shot's id (see: storyreel show).")]
SizeOpt = Annotated[
    str | None, typer.Option("--size", "-s", help=f"Shot size: {accepted_values(ShotSize)}.")
]
AngleOpt = Annotated[
    str | None, typer.Option("--angle", "-a", help=f"Camera angle: {accepted_values(Angle)}.")
]
MovementOpt = Annotated[
    str | None,
    typer.Option("--movement", "-m", help=f"Camera movement: {accepted_values(Movement)}."),
]
LensOpt = Annotated[
    int | None, typer.Option("--lens", help="Focal length in mm (e.g. 24, 50, 85).")
]
DurationOpt = Annotated[
    float | None, typer.Option("--duration", help="Length in seconds (e.g. 4).")
]
CharacterOpt = Annotated[
    list[str] | None,
    typer.Option("--character", "-c", help="A character in the shot; repeat for several."),
]
LocationOpt = Annotated[str | None, typer.Option("--location", "-l", help="Where it happens.")]
ContinuesOpt = Annotated[
    int | None,
    typer.Option(
        "--continues-from",
        help="Id of an earlier shot whose last frame opens this one (continuous action).",
    ),
]
DialogueOpt = Annotated[str | None, typer.Option(help="Spoken line, shown as a subtitle.")]
TimeOpt = Annotated[
    str | None, typer.Option("--time-of-day", help=f"Override: {accepted_values(TimeOfDay)}.")
]
KeyLightOpt = Annotated[
    str | None, typer.Option("--key-light", help=f"Override: {accepted_values(LightSide)}.")
]
TransitionOpt = Annotated[
    str | None,
    typer.Option(help=f"How this shot begins: {accepted_values(Transition)}."),
]
SceneOpt = Annotated[str | None, typer.Option(help="Scene name or number, e.g. '1' or 'harbour'.")]
SpeedOpt = Annotated[str | None, typer.Option("--speed", help="Camera speed: slow, medium, fast.")]
DofOpt = Annotated[str | None, typer.Option("--dof", help="Depth of field: shallow or deep.")]
LightingOpt = Annotated[str | None, typer.Option(help="Lighting notes, e.g. 'low key, hard'.")]
SpeakerOpt = Annotated[
    str | None,
    typer.Option(
        "--speaker",
        help="Who says the dialogue: a character (joins the shot if not in it yet).",
    ),
]
OtsOverOpt = Annotated[
    str | None,
    typer.Option(
        "--ots-over",
        help="With --angle ots: the character whose shoulder the camera looks over.",
    ),
]
StageOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--stage",
        help="Where a character stands and faces: NAME=POSITION[,FACING], e.g. Mara=left,right "
        "(position left/center/right; facing left/right/camera/away; Mara=,camera for a "
        "facing only); repeat for several.",
    ),
]
HardnessOpt = Annotated[
    str | None,
    typer.Option("--light-hardness", help="Override the key light: soft or hard."),
]
KelvinOpt = Annotated[
    str | None,
    typer.Option(
        "--light-kelvin",
        help="Override the key light colour: 2000..10000 kelvins, or warm (3200), "
        "neutral (5600), cool (7000).",
    ),
]


@shot_app.command("add")
def shot_add(
    action: Annotated[str, typer.Argument(help="What happens, in plain words.")],
    size: SizeOpt = None,
    angle: AngleOpt = None,
    movement: MovementOpt = None,
    lens: LensOpt = None,
    duration: DurationOpt = None,
    character: CharacterOpt = None,
    location: LocationOpt = None,
    after: Annotated[
        int | None,
        typer.Option(help="Put it after this shot id (0 = first; default: at the end)."),
    ] = None,
    continues_from: ContinuesOpt = None,
    dialogue: DialogueOpt = None,
    time_of_day: TimeOpt = None,
    key_light: KeyLightOpt = None,
    transition: TransitionOpt = None,
    scene: SceneOpt = None,
    speed: SpeedOpt = None,
    dof: DofOpt = None,
    lighting: LightingOpt = None,
    speaker: SpeakerOpt = None,
    ots_over: OtsOverOpt = None,
    stage: StageOpt = None,
    light_hardness: HardnessOpt = None,
    light_kelvin: KelvinOpt = None,
    project: ProjectOption = HERE,
) -> None:
    """Add a shot at the end, or after the shot given with --after.

    Example: storyreel shot add "Mara reads the letter" -s CU -m "push in" -c Mara -l Harbour
    """
    from storyreel.tools.edits import AddShot

    edit = AddShot(
        action=action,
        after=after,
        **_shot_fields(
            size,
            angle,
            movement,
            lens,
            duration,
            character,
            location,
            continues_from,
            dialogue,
            time_of_day,
            key_light,
            transition,
            scene,
            speed,
            dof,
            lighting,
        ),
        **_story_fields(speaker, ots_over, stage, light_hardness, light_kelvin),
    )
    apply_and_report(project, [edit])


@shot_app.command("update")
def shot_update(
    shot_id: IdArg,
    action: Annotated[str | None, typer.Option(help="New action text.")] = None,
    size: SizeOpt = None,
    angle: AngleOpt = None,
    movement: MovementOpt = None,
    lens: LensOpt = None,
    duration: DurationOpt = None,
    character: CharacterOpt = None,
    location: LocationOpt = None,
    continues_from: ContinuesOpt = None,
    dialogue: DialogueOpt = None,
    time_of_day: TimeOpt = None,
    key_light: KeyLightOpt = None,
    transition: TransitionOpt = None,
    scene: SceneOpt = None,
    speed: SpeedOpt = None,
    dof: DofOpt = None,
    lighting: LightingOpt = None,
    speaker: SpeakerOpt = None,
    ots_over: OtsOverOpt = None,
    stage: StageOpt = None,
    light_hardness: HardnessOpt = None,
    light_kelvin: KelvinOpt = None,
    no_characters: Annotated[bool, typer.Option(help="Remove every character.")] = False,
    no_location: Annotated[bool, typer.Option(help="Clear the location.")] = False,
    no_continues_from: Annotated[bool, typer.Option(help="Start fresh, not continuing.")] = False,
    no_dialogue: Annotated[bool, typer.Option(help="Remove the dialogue.")] = False,
    no_speaker: Annotated[bool, typer.Option(help="Forget who says the dialogue.")] = False,
    no_ots_over: Annotated[bool, typer.Option(help="Forget whose shoulder (ots).")] = False,
    no_staging: Annotated[bool, typer.Option(help="Remove every character's staging.")] = False,
    no_light_override: Annotated[
        bool, typer.Option(help="Drop the shot's key light hardness and colour overrides.")
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Change a shot; only the options given change. --character replaces the list.

    --stage restages the characters it names and keeps the others' staging.
    """
    from storyreel.tools.edits import UpdateShot

    clear = [
        name
        for name, wanted in (
            ("characters", no_characters),
            ("location", no_location),
            ("continues_from", no_continues_from),
            ("dialogue", no_dialogue),
            ("dialogue_speaker", no_speaker),
            ("ots_over", no_ots_over),
            ("staging", no_staging),
            ("key_light_hardness", no_light_override),
            ("key_light_kelvin", no_light_override),
        )
        if wanted
    ]
    edit = UpdateShot(
        shot_id=shot_id,
        action=action,
        clear=clear,
        **_shot_fields(
            size,
            angle,
            movement,
            lens,
            duration,
            character,
            location,
            continues_from,
            dialogue,
            time_of_day,
            key_light,
            transition,
            scene,
            speed,
            dof,
            lighting,
        ),
        **_story_fields(speaker, ots_over, stage, light_hardness, light_kelvin),
    )
    apply_and_report(project, [edit])


@shot_app.command("move")
def shot_move(
    shot_id: IdArg,
    after: Annotated[int, typer.Option(help="The shot id it should follow (0 = first).")],
    project: ProjectOption = HERE,
) -> None:
    """Move a shot to follow another one. Ids never change; only the order does."""
    from storyreel.tools.edits import MoveShot

    apply_and_report(project, [MoveShot(shot_id=shot_id, after=after)])


@shot_app.command("remove")
def shot_remove(shot_id: IdArg, project: ProjectOption = HERE) -> None:
    """Remove a shot (undo brings it back). Its id is never reused."""
    from storyreel.tools.edits import RemoveShot

    apply_and_report(project, [RemoveShot(shot_id=shot_id)])


@shot_app.command("lock")
def shot_lock(shot_id: IdArg, project: ProjectOption = HERE) -> None:
    """Lock a shot: it is never re-rendered or changed until unlocked."""
    from storyreel.tools.edits import SetLock

    apply_and_report(project, [SetLock(shot_id=shot_id, locked=True)])


@shot_app.command("unlock")
def shot_unlock(shot_id: IdArg, project: ProjectOption = HERE) -> None:
    """Unlock a shot so it can be changed and re-rendered."""
    from storyreel.tools.edits import SetLock

    apply_and_report(project, [SetLock(shot_id=shot_id, locked=False)])


def _story_fields(
    speaker: str | None,
    ots_over: str | None,
    stage: list[str] | None,
    light_hardness: str | None,
    light_kelvin: str | None,
) -> dict[str, object]:
    """Map the speaker, OTS, staging and light options onto ShotFields names (given ones only)."""
    fields = {
        "dialogue_speaker": speaker,
        "ots_over": ots_over,
        "staging": list(stage) if stage else None,
        "key_light_hardness": light_hardness,
        "key_light_kelvin": light_kelvin,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _shot_fields(
    size: str | None,
    angle: str | None,
    movement: str | None,
    lens: int | None,
    duration: float | None,
    character: list[str] | None,
    location: str | None,
    continues_from: int | None,
    dialogue: str | None,
    time_of_day: str | None,
    key_light: str | None,
    transition: str | None,
    scene: str | None,
    speed: str | None,
    dof: str | None,
    lighting: str | None,
) -> dict[str, object]:
    """Map CLI options onto ShotFields names, leaving out the ones not given."""
    fields = {
        "size": size,
        "angle": angle,
        "movement": movement,
        "lens_mm": lens,
        "duration_s": duration,
        "characters": split_list(character),
        "location": location,
        "continues_from": continues_from,
        "dialogue": dialogue,
        "time_of_day": time_of_day,
        "key_light_side": key_light,
        "transition": transition,
        "scene": scene,
        "movement_speed": speed.lower() if speed else None,
        "depth_of_field": dof,
        "lighting": lighting,
    }
    return {key: value for key, value in fields.items() if value is not None}
