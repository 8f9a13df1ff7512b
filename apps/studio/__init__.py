"""storyreel studio: the story in a web browser, on the same Session API as the chat app.

`create_app` (server.py) builds the ASGI app; `studio_server` wraps it in a uvicorn
server; `storyreel studio` (apps/cli/studio.py) runs it. The page itself is plain
HTML/CSS/JS in static/ (package data, no build step).
"""

from __future__ import annotations
