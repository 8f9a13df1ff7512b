"""Regenerate docs/chat.svg: the chat app after the example story, as a person sees it.

.venv/bin/python docs/chat_screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from storyreel.apps.tui.app import StoryreelApp
from storyreel.tools.project import Project

OUT = Path(__file__).with_name("chat.svg")
EXAMPLE = [
    "Mara is a woman in her thirties with short black hair, wearing a red raincoat.",
    "At the harbour at dusk, light from the left: an establishing shot of the boats rocking, "
    "crane down, 3 seconds. Then a tracking shot of Mara walking along the quay, 3 seconds.",
    "Close-up, slow push-in on Mara reading the letter, 85mm, 3 seconds.",
]


async def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "the-letter"
        Project.create(folder, title="The Letter").close()
        app = StoryreelApp(folder, offline=True, example=EXAMPLE)
        async with app.run_test(size=(150, 44)) as pilot:
            await pilot.press("f2")
            deadline = time.monotonic() + 300
            while app.busy and time.monotonic() < deadline:
                await pilot.pause(0.2)
            app.shots.focus()
            await pilot.press("down")
            await pilot.pause(0.5)
            app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
            await pilot.press("ctrl+q")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
