"""`storyreel character ...` and `storyreel location ...`: the story's bible."""

from __future__ import annotations

from typing import Annotated

import typer

from storyreel.apps.cli.common import (
    HERE,
    ProjectOption,
    apply_and_report,
    new_group,
    split_list,
)
from storyreel.tools.vocabulary import LightSide, TimeOfDay, accepted_values

character_app = new_group(
    "Characters: who is in the story. A character's name is its handle (@mara); its "
    "description is reused word for word in every shot it appears in."
)
location_app = new_group(
    "Locations: where the story happens, with time of day and key light. A location's "
    "name is its handle (@harbour)."
)

NameArg = Annotated[str, typer.Argument(help="Name, used as the handle (Mara -> @mara).")]
DescriptionOpt = Annotated[
    str | None,
    typer.Option("--description", "-d", help="What they look like, reused in every prompt."),
]
WardrobeOpt = Annotated[str | None, typer.Option(help="What they wear, e.g. 'red raincoat'.")]
VoiceOpt = Annotated[str | None, typer.Option(help="How they sound, e.g. 'low, calm'.")]
TimeOpt = Annotated[
    str | None,
    typer.Option("--time-of-day", "-t", help=f"One of {accepted_values(TimeOfDay)}."),
]
KeyLightOpt = Annotated[
    str | None,
    typer.Option("--key-light", "-k", help=f"Key light side: {accepted_values(LightSide)}."),
]
WeatherOpt = Annotated[str | None, typer.Option(help="e.g. 'light rain', 'fog'.")]
HardnessOpt = Annotated[
    str | None,
    typer.Option("--light-hardness", help="Key light hardness: soft (default) or hard."),
]
KelvinOpt = Annotated[
    str | None,
    typer.Option(
        "--light-kelvin",
        help="Key light colour: 2000..10000 kelvins (default 5600), or warm (3200), "
        "neutral (5600), cool (7000).",
    ),
]
NewNameArg = Annotated[str, typer.Argument(help="The new name; it becomes the handle.")]
PaletteOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Palette colours, repeated or comma separated: names (navy, amber, teal; "
        "deep/dark/light/pale before one) or hex codes (e.g. 'deep blue,amber,#1d3557')."
    ),
]


@character_app.command("add")
def character_add(
    name: NameArg,
    description: Annotated[
        str,
        typer.Option("--description", "-d", help="What they look like, reused in every prompt."),
    ],
    wardrobe: Annotated[str, typer.Option(help="What they wear, e.g. 'red raincoat'.")] = "",
    voice: Annotated[str, typer.Option(help="How they sound, e.g. 'low, calm'.")] = "",
    project: ProjectOption = HERE,
) -> None:
    """Add a character.

    Example: storyreel character add Mara -d "woman, 30s, black hair" --wardrobe "red raincoat"
    """
    from storyreel.tools.edits import AddCharacter

    apply_and_report(
        project, [AddCharacter(name=name, description=description, wardrobe=wardrobe, voice=voice)]
    )


@character_app.command("update")
def character_update(
    name: NameArg,
    description: DescriptionOpt = None,
    wardrobe: WardrobeOpt = None,
    voice: VoiceOpt = None,
    project: ProjectOption = HERE,
) -> None:
    """Change a character's description, wardrobe or voice (other fields stay)."""
    from storyreel.tools.edits import UpdateCharacter

    apply_and_report(
        project,
        [UpdateCharacter(name=name, description=description, wardrobe=wardrobe, voice=voice)],
    )


@character_app.command("rename")
def character_rename(name: NameArg, new_name: NewNameArg, project: ProjectOption = HERE) -> None:
    """Rename a character; shots, speakers, staging, references and @handles in text follow.

    Example: storyreel character rename Mara Marianne
    """
    from storyreel.tools.edits import RenameCharacter

    apply_and_report(project, [RenameCharacter(name=name, new_name=new_name)])


@character_app.command("remove")
def character_remove(name: NameArg, project: ProjectOption = HERE) -> None:
    """Remove a character that no shot uses."""
    from storyreel.tools.edits import RemoveCharacter

    apply_and_report(project, [RemoveCharacter(name=name)])


@location_app.command("add")
def location_add(
    name: NameArg,
    description: Annotated[
        str, typer.Option("--description", "-d", help="What the place looks like.")
    ],
    time_of_day: TimeOpt = None,
    key_light: KeyLightOpt = None,
    weather: Annotated[str, typer.Option(help="e.g. 'light rain', 'fog'.")] = "",
    palette: PaletteOpt = None,
    light_hardness: HardnessOpt = None,
    light_kelvin: KelvinOpt = None,
    project: ProjectOption = HERE,
) -> None:
    """Add a location with its time of day and key light (side, hardness, colour).

    Example: storyreel location add Harbour -d "stone quay, fishing boats" -t dusk -k left
    --light-hardness hard --light-kelvin warm
    """
    from storyreel.tools.edits import AddLocation

    apply_and_report(
        project,
        [
            AddLocation(
                name=name,
                description=description,
                time_of_day=time_of_day,
                key_light=key_light,
                weather=weather,
                palette=split_list(palette) or [],
                key_light_hardness=light_hardness,
                key_light_kelvin=light_kelvin,
            )
        ],
    )


@location_app.command("update")
def location_update(
    name: NameArg,
    description: DescriptionOpt = None,
    time_of_day: TimeOpt = None,
    key_light: KeyLightOpt = None,
    weather: WeatherOpt = None,
    palette: PaletteOpt = None,
    light_hardness: HardnessOpt = None,
    light_kelvin: KelvinOpt = None,
    project: ProjectOption = HERE,
) -> None:
    """Change a location's description, time of day, key light, weather or palette."""
    from storyreel.tools.edits import UpdateLocation

    apply_and_report(
        project,
        [
            UpdateLocation(
                name=name,
                description=description,
                time_of_day=time_of_day,
                key_light=key_light,
                weather=weather,
                palette=split_list(palette),
                key_light_hardness=light_hardness,
                key_light_kelvin=light_kelvin,
            )
        ],
    )


@location_app.command("rename")
def location_rename(name: NameArg, new_name: NewNameArg, project: ProjectOption = HERE) -> None:
    """Rename a location; shots, references and @handles in text follow.

    Example: storyreel location rename Harbour "Old Harbour"
    """
    from storyreel.tools.edits import RenameLocation

    apply_and_report(project, [RenameLocation(name=name, new_name=new_name)])


@location_app.command("remove")
def location_remove(name: NameArg, project: ProjectOption = HERE) -> None:
    """Remove a location that no shot uses."""
    from storyreel.tools.edits import RemoveLocation

    apply_and_report(project, [RemoveLocation(name=name)])
