"""The scripted conversation `storyreel demo` has with the offline director.

It builds "The Letter" the way a person would direct it, then renders and exports.
"""

from __future__ import annotations

DEMO_TITLE = "The Letter"

DEMO_CONVERSATION: list[str] = [
    "Call the film The Letter.",
    "Mara is a woman in her thirties with short black hair, wearing a red raincoat.",
    "Meet Tom: an old fisherman with a white beard, wearing a navy wool sweater.",
    "At the harbour at dusk, light from the left: an establishing shot of the boats rocking, "
    "crane down, 4 seconds. Then a tracking shot of Mara walking along the quay, 4 seconds.",
    "Medium shot of Tom mending a net, he looks up; the camera pans left, 3 seconds.",
    'Over the shoulder medium close-up: Tom holds out an envelope to Mara. He says "This came '
    "for you. It's from the lighthouse.\" 4 seconds.",
    "Close-up, slow push-in on Mara reading the letter, 85mm, 4 seconds, continuing from shot 4.",
    "In the lighthouse at night: wide shot of Mara climbing into the lamp room, pans right, "
    "4 seconds.",
    "Extreme close-up from above of the letter on the desk, zoom in, 3 seconds. Mara says "
    '"Come home."',
    "render",
    "export",
]
