"""The built-in demo story: "The Letter", seven shots in two locations.

It exercises the vocabulary on purpose: five shot sizes, six camera
movements, a shot that continues from the previous one, dialogue, and the
transitions fade, dissolve and cut.
"""

from __future__ import annotations

from storyreel.tools.edits import AddCharacter, AddLocation, AddShot, EditModel, SetStyle

DEMO_TITLE = "The Letter"


def demo_edits() -> list[EditModel]:
    """The edits that build the demo story on an empty project, in order."""
    return [
        SetStyle(title=DEMO_TITLE, look="muted teal and amber, soft film grain"),
        AddCharacter(
            name="Mara",
            description="a woman in her thirties with short black hair and a pale, freckled face",
            wardrobe="a red raincoat over a grey sweater",
            voice="quiet, warm",
        ),
        AddCharacter(
            name="Tom",
            description="an old fisherman with a white beard and weathered hands",
            wardrobe="a navy wool sweater and a yellow oilskin cap",
            voice="low, gravelly",
        ),
        AddLocation(
            name="Harbour",
            description="a stone harbour with moored fishing boats and wet cobbles",
            time_of_day="dusk",
            key_light="left",
            weather="after rain",
            palette=["#1d3557", "#457b9d", "#e63946"],
        ),
        AddLocation(
            name="Lighthouse",
            description="the small round room at the top of a lighthouse, a desk under a lamp",
            time_of_day="night",
            key_light="right",
            palette=["#2b2d42", "#f4a261", "#e9c46a"],
        ),
        AddShot(
            action="The harbour at dusk, boats rocking gently, lights coming on",
            size="ELS",
            movement="crane down",
            location="Harbour",
            duration_s=4,
            transition="fade in",
            lens_mm=24,
        ),
        AddShot(
            action="Mara walks along the quay, collar turned up against the wind",
            size="wide shot",
            movement="tracking",
            characters=["Mara"],
            location="Harbour",
            duration_s=4,
        ),
        AddShot(
            action="Tom looks up from mending a net and sees her coming",
            size="medium shot",
            movement="pan left",
            characters=["Tom"],
            location="Harbour",
            duration_s=3,
        ),
        AddShot(
            action="Tom holds out a creased envelope to Mara",
            size="MCU",
            angle="over the shoulder",
            movement="static",
            characters=["Tom", "Mara"],
            location="Harbour",
            dialogue="This came for you. It's from the lighthouse.",
            duration_s=4,
            lens_mm=50,
        ),
        AddShot(
            action="Mara opens the envelope and reads, her face changing",
            size="close-up",
            movement="push in",
            characters=["Mara"],
            location="Harbour",
            continues_from=4,  # ids are 1..7 on the fresh project the demo builds
            duration_s=4,
            lens_mm=85,
            depth_of_field="shallow",
        ),
        AddShot(
            action="Mara climbs into the lamp room of the lighthouse",
            size="LS",
            movement="pan right",
            characters=["Mara"],
            location="Lighthouse",
            duration_s=4,
            transition="dissolve",
        ),
        AddShot(
            action="The letter lies open on the desk under the lamp",
            size="ECU",
            angle="overhead",
            movement="zoom in",
            location="Lighthouse",
            dialogue="Come home.",
            duration_s=3,
            transition="cut",
        ),
    ]
