"""Plans labelled by hand for the script supervisor: good ones must stay quiet, each bad one
must get exactly the notes its label names. Shared by tests/test_supervisor.py and
bench/supervisor.py (the calibration table in CALIBRATION.md)."""

from __future__ import annotations

import itertools
from typing import Any

from storyreel import prompts
from storyreel.tools.demo_story import demo_edits
from storyreel.tools.edits import (
    AddCharacter,
    AddLocation,
    AddShot,
    EditContext,
    EditModel,
    SetTargetLength,
    apply_edits,
    is_action,
)
from storyreel.tools.story import StoryPlan

BIBLE: list[EditModel] = [
    AddCharacter(name="Mara", description="a woman in her thirties", wardrobe="a red raincoat"),
    AddCharacter(name="Tom", description="an old fisherman", wardrobe="a navy sweater"),
    AddLocation(name="Harbour", description="a stone quay", time_of_day="dusk", key_light="left"),
    AddLocation(name="Kitchen", description="a small kitchen", time_of_day="night"),
]


def example_plan(name: str) -> StoryPlan:
    """The plan of a worked example the LLM director is shown (prompts/examples)."""
    from storyreel.agent.director import DirectorReply

    return build(DirectorReply.model_validate(prompts.example(name).reply).edits, bible=False)


def shot(action: str, **fields: Any) -> AddShot:
    """A shot at the harbour unless said otherwise."""
    return AddShot(action=action, **{"location": "Harbour", **fields})


def build(edits: list[EditModel], bible: bool = True) -> StoryPlan:
    """Apply the edits to an empty plan, as the agent would."""
    counter = itertools.count(1)
    context = EditContext(new_shot_id=lambda: next(counter), take_numbers=lambda _id: ())
    batch = [*(BIBLE if bible else []), *edits]
    plan, _ = apply_edits(StoryPlan(title="T"), [e for e in batch if not is_action(e)], context)
    return plan


TWO = ["Mara", "Tom"]
LINE = "We sail at dawn."
BOAT = AddLocation(name="Boat", description="a small red boat", time_of_day="dusk")


def target(seconds: float) -> SetTargetLength:
    """The length the person asked for."""
    return SetTargetLength(seconds=seconds)


def four_shots(**fields: Any) -> list[EditModel]:
    """Four quiet shots at the harbour (an establishing shot, then coverage)."""
    return [
        shot("The quay", size="ELS", **fields),
        shot("Tom mends a net", size="MS", characters=["Tom"], **fields),
        shot("Mara watches", size="CU", characters=["Mara"], **fields),
        shot("Tom looks up", size="MCU", characters=["Tom"], **fields),
    ]


GOOD: dict[str, StoryPlan] = {
    "the demo story": build(demo_edits(), bible=False),
    "a covered dialogue scene": build([
        shot("The quay", size="ELS"),
        shot("Mara meets Tom", size="MS", characters=TWO),
        shot("Tom speaks", size="MCU", angle="ots", characters=TWO, dialogue=LINE),
        shot("Mara listens", size="MCU", angle="ots", characters=TWO, key_light_side="right"),
        shot("Mara's eyes", size="CU", characters=["Mara"]),
    ]),
    "a single close shot": build([shot("Mara reads", size="CU", characters=["Mara"])]),
    "a chase": build([
        shot("Mara runs", size="LS", movement="tracking", characters=["Mara"]),
        shot("Tom runs after her", size="MS", movement="tracking", characters=["Tom"]),
        shot("Mara's feet", size="CU", characters=["Mara"]),
        shot("The end of the quay", size="LS", characters=["Mara"]),
    ]),
    "singles of two people": build([
        shot("The quay", size="LS", characters=TWO),
        shot("Mara", size="CU", characters=["Mara"]),
        shot("Tom", size="CU", characters=["Tom"]),
    ]),
    "same size, another angle": build([
        shot("The quay", size="LS"),
        shot("Tom from below", size="MS", angle="low", characters=["Tom"]),
        shot("Tom from above", size="MS", angle="high", characters=["Tom"]),
    ]),
    "a later scene at another time": build([
        shot("Dusk", size="LS", scene="1"),
        shot("Night falls", size="LS", time_of_day="night", scene="2"),
    ]),
    "a continuing shot in one place": build([
        shot("Mara walks", size="LS", characters=["Mara"]),
        shot("Mara stops", size="MS", characters=["Mara"], continues_from=1),
    ]),
    "a long line with time for it": build([
        shot("Tom speaks", size="MCU", characters=["Tom"], duration_s=6,
             dialogue="We sail at dawn when the tide turns, not before."),
    ]),
    "two places, each opened wide": build([
        shot("The quay", size="ELS"),
        shot("Tom", size="MS", characters=["Tom"]),
        shot("Mara", size="CU", characters=["Mara"]),
        shot("The kitchen", size="LS", location="Kitchen"),
        shot("Mara at the table", size="MS", location="Kitchen", characters=["Mara"]),
        shot("Her hands", size="CU", location="Kitchen", characters=["Mara"]),
    ]),
    "two people kept on their sides": build([
        shot("The quay", size="LS", characters=TWO,
             staging=["Mara=left,right", "Tom=right,left"]),
        shot("Closer", size="MS", characters=TWO,
             staging=["Mara=left,right", "Tom=right,left"]),
    ]),
    "a dissolve between the same framing": build([
        shot("Tom waits", size="MS", characters=["Tom"]),
        shot("Tom still waits", size="MS", characters=["Tom"], transition="dissolve"),
    ]),
    "a phone call cut between two places": build([
        BOAT,
        shot("Tom on the boat", size="LS", location="Boat", characters=["Tom"], scene="1"),
        shot("Mara on the quay", size="LS", characters=["Mara"], scene="1"),
        shot("Tom listens", size="MS", location="Boat", characters=["Tom"], scene="1"),
        shot("Mara speaks", size="MS", characters=["Mara"], scene="1"),
    ]),
    "a scene that moves from the kitchen to the quay": build([
        shot("Mara in the kitchen", size="LS", location="Kitchen", characters=["Mara"],
             scene="2"),
        shot("Mara takes her coat", size="MS", location="Kitchen", characters=["Mara"],
             scene="2"),
        shot("Mara comes out on the quay", size="LS", characters=["Mara"], scene="2"),
        shot("Mara looks at the sea", size="CU", characters=["Mara"], scene="2"),
    ]),
    "a memory of another place, dissolved in and out": build([
        shot("Mara at the table", size="LS", location="Kitchen", characters=["Mara"],
             scene="3"),
        shot("Mara as a girl on the quay", size="MS", characters=["Mara"], scene="3",
             transition="dissolve"),
        shot("Mara at the table again", size="CU", location="Kitchen", characters=["Mara"],
             scene="3", transition="dissolve"),
    ]),
    "someone elsewhere cut into a scene": build([
        BOAT,
        shot("Mara at the table", size="LS", location="Kitchen", characters=["Mara"],
             scene="4"),
        shot("Tom rows home", size="MS", location="Boat", characters=["Tom"], scene="4"),
        shot("Mara looks at the clock", size="CU", location="Kitchen", characters=["Mara"],
             scene="4"),
    ]),
    **{f"the {name} example": example_plan(name) for name in prompts.example_names()},
    "a film close to the length asked for": build([target(20), *four_shots()]),
    "a minute asked, 50 seconds planned": build([target(60), *four_shots(duration_s=12.5)]),
}  # fmt: skip

BAD: dict[str, tuple[StoryPlan, set[str]]] = {
    "a scene without a wide shot": (build([
        shot("Tom", size="MS", characters=["Tom"]),
        shot("Mara", size="CU", characters=["Mara"]),
        shot("Tom again", size="MCU", characters=["Tom"]),
    ]), {"establishing"}),
    "a jump cut": (build([
        shot("The quay", size="LS"),
        shot("Tom mends", size="MS", characters=["Tom"]),
        shot("Tom looks up", size="MS", characters=["Tom"]),
    ]), {"jump_cut"}),
    "a line too long for its shot": (build([
        shot("Tom speaks", size="MCU", characters=["Tom"], duration_s=2,
             dialogue="We sail at dawn when the tide turns, not before, and not after."),
    ]), {"dialogue_time"}),
    "night in the middle of a dusk scene": (build([
        shot("The quay", size="LS"),
        shot("Tom", size="MS", characters=["Tom"], time_of_day="night"),
    ]), {"time_jump"}),
    "continuing from another place": (build([
        shot("Mara walks", size="LS", characters=["Mara"]),
        shot("Mara sits", size="MS", location="Kitchen", characters=["Mara"], continues_from=1),
    ]), {"continuity"}),
    "a reverse shot lit the same way": (build([
        shot("The quay", size="LS", characters=TWO),
        shot("Over Mara onto Tom", size="MCU", angle="ots", characters=TWO),
        shot("Over Tom onto Mara", size="MCU", angle="ots", characters=TWO),
    ]), {"reverse_light"}),
    "the camera crossing the line": (build([
        shot("The quay", size="LS", characters=TWO,
             staging=["Mara=left,right", "Tom=right,left"]),
        shot("Closer", size="MS", characters=TWO,
             staging=["Mara=left,left", "Tom=right,right"]),
    ]), {"screen_flip"}),
    "a jump cut and a long line": (build([
        shot("The quay", size="ELS"),
        shot("Mara", size="CU", characters=["Mara"]),
        shot("Mara speaks", size="CU", characters=["Mara"], duration_s=1, dialogue=LINE * 2),
    ]), {"jump_cut", "dialogue_time"}),
    "someone in two places in one scene": (build([
        shot("Mara and Tom at the table", size="LS", location="Kitchen", characters=TWO,
             scene="2"),
        shot("Mara listens", size="CU", characters=["Mara"], scene="2"),
        shot("Mara answers Tom", size="MS", location="Kitchen", characters=TWO, scene="2"),
    ]), {"whereabouts"}),
    "two people in two places in one scene": (build([
        shot("Mara and Tom on the quay", size="LS", characters=TWO, scene="5"),
        shot("Mara and Tom argue", size="MS", location="Kitchen", characters=TWO, scene="5"),
        shot("Tom walks off", size="MLS", characters=TWO, scene="5"),
    ]), {"whereabouts"}),
    "a film far longer than asked": (build([target(12), *four_shots(duration_s=5)]),
                                      {"length"}),
    "a film far shorter than asked": (build([target(30), *four_shots()]), {"length"}),
    "two minutes asked, 16 seconds planned": (build([target(120), *four_shots()]),
                                               {"length"}),
}  # fmt: skip
"""Each bad plan with the checks that must speak (and no others)."""
