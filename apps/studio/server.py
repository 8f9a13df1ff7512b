"""The studio's ASGI app: the Session API over HTTP, with server-sent events for progress.

    app = create_app(Path("my-film"))          # one Session ("studio") for the app's life
    server = studio_server(app, "127.0.0.1", 8765)
    server.run()

One `Session` per app, opened at startup and closed at shutdown. The Session is not
thread-safe, so every call into it runs on one worker thread, one turn at a time; a
second turn while one runs is refused (409). `Session.cancel` is the exception (any
thread). Everything a turn yields goes to every connected browser (GET /api/events):
`agent` events (each AgentEvent's JSON), `state` events (the whole snapshot,
snapshot.py; after plan, take and artifact events and at the end of each turn) and
`busy` events ({"busy", "text"} when a turn starts or ends). The snapshot is read on a
second thread from a second view of the project, never on the event loop.

Routes (JSON in and out; a refusal is {"error": "what was wrong and how to fix it"}):
GET / and /static/* (the page), GET /api/state, GET /api/events, POST /api/say {"text"},
POST /api/answer {"value"}, POST /api/guide, POST /api/shots/{id}/lock {"locked"},
POST /api/shots/{id}/retake, POST /api/shots/{id}/select {"take"}, POST /api/export,
POST /api/undo, POST /api/cancel, GET /media/{path} (takes, stills, exports, posters;
Range requests answered), GET /media/poster/{shot_id}/{take}.jpg.

A token (`create_app(token=...)`) guards every route but the page and its static files:
`?token=`, `Authorization: Bearer`, or the `storyreel_token` cookie that opening the page
with `?token=` sets. Without a token the studio answers only to a loopback Host
(127.0.0.1, localhost, ::1: a web site that points its name at 127.0.0.1 gets nothing).
A POST whose Origin is another site is refused (a web page elsewhere cannot drive the
studio through the person's browser).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyreel.agent.events import AgentEvent, Question
from storyreel.agent.session import Session
from storyreel.agent.transcript import Transcript
from storyreel.apps.studio.snapshot import MEDIA_FOLDERS, POSTERS, build_snapshot, guide_json
from storyreel.apps.tui.story_view import read_story
from storyreel.tools.edits import (
    DirectorEdit,
    ExportFilm,
    RenderShots,
    SelectTake,
    SetLock,
    UndoChange,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.project import Project

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
COOKIE = "storyreel_token"
MAX_TEXT = 4000
MAX_BODY = 64_000
KEEP_ALIVE_S = 15.0
QUEUE_LIMIT = 2000
"""Events waiting for one browser before it is dropped as too slow (it reconnects)."""

GUIDE_WORDS = "guide us"

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
"""Host names a studio without a token answers to (it listens on this machine only)."""

T = TypeVar("T")


class Refused(Exception):
    """A request refused with `status` and a plain-language `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _sse(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@dataclass(eq=False)
class _Subscriber:
    """One connected browser's queue of SSE chunks (None ends the stream)."""

    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)


class Studio:
    """The app's state: the session, its worker thread, the reader, the subscribers.

    Everything here runs on the event loop unless its docstring says otherwise.
    """

    def __init__(
        self,
        project_dir: Path,
        *,
        session_name: str,
        offline: bool,
        session_factory: Callable[[], Session] | None,
    ) -> None:
        self.root = Path(project_dir).resolve()
        self.session_name = session_name
        self._factory = session_factory or (
            lambda: Session(self.root, session_name, offline=offline)
        )
        self.session: Session | None = None
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="studio-session")
        self._reader_pool = ThreadPoolExecutor(1, thread_name_prefix="studio-reader")
        self._reader: Project | None = None
        self._transcript: Transcript | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[_Subscriber] = set()
        self._state_wanted = asyncio.Event()
        self._state_task: asyncio.Task[None] | None = None
        self.closing = False
        self.version = 0
        self.busy = False
        self.busy_text = ""
        self.question: Question | None = None
        self.guide: dict[str, Any] | None = None
        self.progress: dict[int, tuple[int, int]] = {}
        self.snapshot: dict[str, Any] | None = None

    # life ----------------------------------------------------------------

    async def start(self) -> None:
        """Open the session (on its worker thread) and the reader's view of the project."""
        self._loop = asyncio.get_running_loop()
        self.session = await self._on_worker(self._factory)
        self.question, self.guide = await self._on_worker(self._asked)
        self._reader, self._transcript = await self._on_reader(self._open_reader)
        self._state_task = asyncio.create_task(self._publish_states())

    def _open_reader(self) -> tuple[Project, Transcript]:
        from storyreel.agent.session import AGENT_DB

        return Project.open(self.root), Transcript(self.root / AGENT_DB, self.session_name)

    async def stop(self) -> None:
        """End the streams, stop a render in progress, close the session and the reader."""
        self.closing = True
        self.end_streams()
        if self.session is not None:
            self.session.cancel()
        if self._state_task is not None:
            self._state_task.cancel()
        session, self.session = self.session, None
        if session is not None:
            await self._on_worker(session.close)
        if self._reader is not None:
            reader, transcript = self._reader, self._transcript
            await self._on_reader(lambda: _close_reader(reader, transcript))
        self._worker.shutdown(wait=False)
        self._reader_pool.shutdown(wait=False)

    def end_streams(self) -> None:
        """End every open event stream (thread-safe; the server's shutdown calls it)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._end_streams)

    def _end_streams(self) -> None:
        self.closing = True
        for subscriber in list(self._subscribers):
            self._drop(subscriber)

    async def _on_worker(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, call)

    async def _on_reader(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._reader_pool, call)

    # events --------------------------------------------------------------

    def subscribe(self) -> _Subscriber:
        subscriber = _Subscriber()
        if self.closing:
            subscriber.queue.put_nowait(None)
        else:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: _Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def _drop(self, subscriber: _Subscriber) -> None:
        self._subscribers.discard(subscriber)
        subscriber.queue.put_nowait(None)  # unbounded: never full

    def publish(self, name: str, data: object) -> None:
        """Send one event to every connected browser."""
        chunk = _sse(name, data)
        for subscriber in list(self._subscribers):
            if subscriber.queue.qsize() >= QUEUE_LIMIT:
                self._drop(subscriber)
                continue
            subscriber.queue.put_nowait(chunk)

    def _from_worker(self, call: Callable[..., object], *args: object) -> None:
        """Run `call(*args)` on the event loop (from the worker thread)."""
        assert self._loop is not None
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(call, *args)

    def want_state(self) -> None:
        """Ask for a `state` event (reads that pile up are answered by one read)."""
        self._state_wanted.set()

    async def _publish_states(self) -> None:
        while True:
            await self._state_wanted.wait()
            self._state_wanted.clear()
            try:
                snapshot = await self.read_snapshot()
            except Refused as error:
                self.publish("agent", _problem(error.message))
                continue
            except Exception as error:  # a bug must not end the stream of states
                log.exception("studio: reading the story failed")
                self.publish("agent", _problem(f"I could not read the story to show it: {error}"))
                continue
            self.publish("state", snapshot)

    async def read_snapshot(self) -> dict[str, Any]:
        """The snapshot now (the story is read on the reader thread)."""
        if self._reader is None or self._transcript is None:
            raise Refused(503, "The studio is starting or stopping: try again in a moment.")
        reader, transcript = self._reader, self._transcript
        dynamic = {
            "version": self.version,
            "busy": self.busy,
            "busy_text": self.busy_text,
            "question": self.question,
            "guide": dict(self.guide) if self.guide is not None else None,
            "progress": dict(self.progress),
        }

        def read() -> dict[str, Any]:
            view = read_story(reader)
            lines = transcript.recent(200)
            return build_snapshot(self.root, reader.exports_dir, view, lines, **dynamic)

        try:
            snapshot = await self._on_reader(read)
        except StoryreelError as error:
            raise Refused(503, f"I could not read the story: {error}.") from error
        if self.snapshot is None or snapshot["version"] >= self.snapshot["version"]:
            self.snapshot = snapshot
        return snapshot

    async def current_snapshot(self) -> dict[str, Any]:
        """The last snapshot if nothing changed since, else a fresh one."""
        if self.snapshot is not None and self.snapshot["version"] == self.version:
            return self.snapshot
        return await self.read_snapshot()

    # turns ---------------------------------------------------------------

    def start_turn(self, what: str, run: Callable[[Session], Iterator[AgentEvent]]) -> Response:
        """Start a turn on the worker thread: 202, or 409 while another one runs."""
        if self.closing or self.session is None:
            raise Refused(503, "The studio is stopping: start it again with storyreel studio.")
        if self.busy:
            raise Refused(
                409,
                f"I am still busy with “{self.busy_text}”: wait until it finishes "
                "(or press Stop), then try again.",
            )
        self.busy, self.busy_text = True, what
        self.progress.clear()
        self.version += 1
        self.publish("busy", {"busy": True, "text": what})
        self.want_state()
        session = self.session
        self._worker.submit(self._run_turn, session, run)
        return JSONResponse({"accepted": True}, status_code=202)

    def _run_turn(self, session: Session, run: Callable[[Session], Iterator[AgentEvent]]) -> None:
        """The turn, on the worker thread: every event goes to the loop as it comes."""
        try:
            for event in run(session):
                self._from_worker(self._agent_event, event.model_dump(mode="json"))
        except StoryreelError as error:
            text = str(error)
            self._from_worker(self._agent_event, _problem(text[:1].upper() + text[1:] + "."))
        except Exception as error:  # say it in the page; the worker must live on
            log.exception("studio: a turn failed")
            self._from_worker(
                self._agent_event,
                _problem(
                    f"Something went wrong ({type(error).__name__}: {error}). The story is "
                    "saved as it was; try again, and if it happens again run storyreel doctor."
                ),
            )
        finally:
            question, guide = self._asked(session)
            self._from_worker(self._turn_ended, question, guide)

    def _asked(self, session: Session | None = None) -> tuple[Question | None, dict | None]:
        """The pending question and the guide's status (on the worker thread)."""
        session = session or self.session
        if session is None:
            return None, None
        try:
            question = session.pending_question()
        except Exception:
            log.exception("studio: reading the pending question failed")
            question = None
        status = getattr(session, "guide_status", None)
        try:
            guide = guide_json(status()) if callable(status) else None
        except Exception:
            log.exception("studio: reading the guide's status failed")
            guide = None
        return question, guide

    def _agent_event(self, data: dict[str, Any]) -> None:
        self.version += 1
        kind = data.get("type")
        details = data.get("data") or {}
        shot_id = details.get("shot_id")
        if kind == "progress" and isinstance(shot_id, int):
            self.progress[shot_id] = (int(details.get("step", 0)), int(details.get("total", 0)))
        elif kind == "take" and isinstance(shot_id, int):
            self.progress.pop(shot_id, None)
        self.publish("agent", data)
        if kind in ("plan", "take", "artifact"):
            self.want_state()

    def _turn_ended(self, question: Question | None, guide: dict | None) -> None:
        self.busy, self.busy_text = False, ""
        self.question, self.guide = question, guide
        self.progress.clear()
        self.version += 1
        self.publish("busy", {"busy": False, "text": ""})
        self.want_state()

    def cancel(self) -> bool:
        """Stop the render in progress; True when a turn was running."""
        if self.session is None or not self.busy:
            return False
        self.session.cancel()
        return True

    # reads for routes ----------------------------------------------------

    async def check_shot(self, shot_id: int, take: int | None = None) -> None:
        """Refuse (404) a shot, or a take of it, that does not exist."""
        reader = self._reader
        if reader is None:
            raise Refused(503, "The studio is starting or stopping: try again in a moment.")

        def look() -> tuple[list[int], list[int]]:
            shots = [s.id for s in reader.memory.plan().ordered_shots()]
            takes = [t.number for t in reader.memory.takes(shot_id)] if shot_id in shots else []
            return shots, takes

        shots, takes = await self._on_reader(look)
        if shot_id not in shots:
            have = f"the story has shots {_numbers(shots)}" if shots else "the story has no shots"
            raise Refused(404, f"There is no shot {shot_id}: {have}.")
        if take is not None and take not in takes:
            have = f"it has takes {_numbers(takes)}" if takes else "it has no takes yet"
            raise Refused(404, f"Shot {shot_id} has no take {take}: {have}.")

    async def poster(self, shot_id: int, take_number: int) -> Path:
        """The poster frame (JPEG) of a take, made once and kept in .studio/posters/."""
        reader = self._reader
        if reader is None:
            raise Refused(503, "The studio is starting or stopping: try again in a moment.")
        return await self._on_reader(lambda: _make_poster(reader, shot_id, take_number))

    def media_file(self, path: str) -> Path:
        """The file under the project that /media/`path` names, or 404."""
        return media_file(self.root, path)


def _close_reader(reader: Project | None, transcript: Transcript | None) -> None:
    if transcript is not None:
        transcript.close()
    if reader is not None:
        reader.close()


def _problem(text: str) -> dict[str, Any]:
    return AgentEvent(type="problem", text=text).model_dump(mode="json")


def _numbers(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


def media_file(root: Path, path: str) -> Path:
    """`root / path` when it is a file inside one of MEDIA_FOLDERS (links followed), else
    Refused(404): absolute paths, `..`, backslashes and links that lead out are refused."""
    missing = Refused(404, f"There is no file {path!r} in this story's media.")
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        raise missing
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise missing
    folder = next((f for f in MEDIA_FOLDERS if path.startswith(f + "/")), None)
    if folder is None:
        raise missing
    try:
        resolved = (root / path).resolve()
        inside = (root / folder).resolve()
    except (OSError, RuntimeError):
        raise missing from None
    if not resolved.is_relative_to(inside) or not resolved.is_file():
        raise missing
    return resolved


def _make_poster(project: Project, shot_id: int, number: int) -> Path:
    """Make (once) the JPEG poster of take `number` of shot `shot_id` (reader thread)."""
    from PIL import Image

    from storyreel.renderer.video_io import read_frames
    from storyreel.tools.rendering import keyframe_path, take_file
    from storyreel.tools.story import Take

    take: Take | None = next((t for t in project.memory.takes(shot_id) if t.number == number), None)
    if take is None:
        raise Refused(404, f"Shot {shot_id} has no take {number}.")
    tag = (take.file_sha256 or take.request_hash or "take")[:12]
    folder = project.root / POSTERS
    poster = folder / f"shot{shot_id}-take{number}-{tag}.jpg"
    if poster.is_file():
        return poster
    try:
        video = take_file(project, take)
    except StoryreelError:
        raise Refused(
            404, f"The file of shot {shot_id}, take {number} is not in the story."
        ) from None
    if not video.is_file():
        raise Refused(404, f"The file of shot {shot_id}, take {number} is missing.")
    folder.mkdir(parents=True, exist_ok=True)
    still = keyframe_path(project, take)
    if still.is_file():
        with Image.open(still) as opened:
            image = opened.convert("RGB")
    else:
        middle = max(take.frames, 1) // 2
        frame = None
        with closing(read_frames(video)) as frames:
            for index, decoded in enumerate(frames):
                frame = decoded
                if index >= middle:
                    break
        if frame is None:
            raise Refused(404, f"Shot {shot_id}, take {number} has no frames to show.")
        image = Image.fromarray(frame)
    temporary = poster.with_name(f".{poster.name}.{os.getpid()}.part")
    try:
        image.save(temporary, format="JPEG", quality=85)
        os.replace(temporary, poster)
    finally:
        temporary.unlink(missing_ok=True)
    return poster


# requests -----------------------------------------------------------------


def _studio(request: Request) -> Studio:
    return request.app.state.studio


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} when the body is empty), or Refused(400)."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise Refused(400, f"The request is too large (over {MAX_BODY} bytes): send less.")
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused(
            400, 'The request is not JSON: send an object such as {"text": "..."}.'
        ) from None
    if not isinstance(value, dict):
        raise Refused(400, 'The request must be a JSON object, such as {"text": "..."}.')
    return value


def _text(body: Mapping[str, Any], name: str) -> str:
    if name not in body:
        raise Refused(400, f'Say what you want in "{name}": {{"{name}": "..."}}.')
    value = body[name]
    if not isinstance(value, str):
        raise Refused(400, f'"{name}" must be text, such as {{"{name}": "..."}}.')
    if not value.strip():
        raise Refused(400, f'"{name}" is empty: type something first.')
    if len(value) > MAX_TEXT:
        raise Refused(
            400, f'"{name}" is {len(value)} characters long; the most is {MAX_TEXT}: say less.'
        )
    return value.strip()


def _shot_id(request: Request) -> int:
    raw = request.path_params["shot_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise Refused(404, f"There is no shot {raw!r}: shots are numbered 1, 2, 3…")
    return int(raw)


def _no_question(studio: Studio) -> None:
    if studio.question is not None:
        raise Refused(
            409,
            f"I asked a question first (“{studio.question.question}”): answer it, "
            "then press that again.",
        )


def _act(studio: Studio, edits: list[DirectorEdit], label: str) -> Response:
    _no_question(studio)
    return studio.start_turn(label, lambda session: session.act(edits, label=label))


async def page(request: Request) -> Response:
    index = STATIC / "index.html"
    if not index.is_file():
        return HTMLResponse(
            "<!doctype html><title>storyreel studio</title><p>The studio's page is missing "
            "from this installation (apps/studio/static/index.html): reinstall storyreel.",
            status_code=500,
        )
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


async def state(request: Request) -> Response:
    return JSONResponse(await _studio(request).read_snapshot())


async def events(request: Request) -> Response:
    studio = _studio(request)
    subscriber = studio.subscribe()
    first = await studio.current_snapshot()

    async def stream() -> AsyncIterator[str]:
        try:
            yield _sse("state", first)
            while True:
                try:
                    chunk = await asyncio.wait_for(subscriber.queue.get(), KEEP_ALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if chunk is None:
                    return
                yield chunk
        finally:
            studio.unsubscribe(subscriber)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def say(request: Request) -> Response:
    text = _text(await _body(request), "text")
    return _studio(request).start_turn(text, lambda session: session.send(text))


async def answer(request: Request) -> Response:
    studio = _studio(request)
    value = _text(await _body(request), "value")
    if studio.question is not None:
        return studio.start_turn(value, lambda session: session.answer(value))
    if studio.guide is not None:
        return studio.start_turn(value, lambda session: session.send(value))
    raise Refused(409, "Nothing is being asked right now: type in the chat box instead.")


async def guide(request: Request) -> Response:
    await _body(request)
    return _studio(request).start_turn("Guided mode", lambda session: session.send(GUIDE_WORDS))


async def lock(request: Request) -> Response:
    studio = _studio(request)
    shot_id = _shot_id(request)
    body = await _body(request)
    locked = body.get("locked")
    if not isinstance(locked, bool):
        raise Refused(400, 'Say whether to lock: {"locked": true} or {"locked": false}.')
    await studio.check_shot(shot_id)
    verb = "Lock" if locked else "Unlock"
    return _act(studio, [SetLock(shot_id=shot_id, locked=locked)], f"{verb} shot {shot_id}")


async def retake(request: Request) -> Response:
    studio = _studio(request)
    shot_id = _shot_id(request)
    await _body(request)
    await studio.check_shot(shot_id)
    edits: list[DirectorEdit] = [RenderShots(shot_ids=[shot_id], force=True)]
    return _act(studio, edits, f"Retake shot {shot_id}")


async def select(request: Request) -> Response:
    studio = _studio(request)
    shot_id = _shot_id(request)
    body = await _body(request)
    take = body.get("take")
    if isinstance(take, bool) or not isinstance(take, int) or take < 1:
        raise Refused(400, 'Say which take to use, as a number: {"take": 2}.')
    await studio.check_shot(shot_id, take)
    edits: list[DirectorEdit] = [SelectTake(shot_id=shot_id, take=take)]
    return _act(studio, edits, f"Use take {take} for shot {shot_id}")


async def export(request: Request) -> Response:
    await _body(request)
    return _act(_studio(request), [ExportFilm()], "Export the film")


async def undo(request: Request) -> Response:
    await _body(request)
    return _act(_studio(request), [UndoChange()], "Undo")


async def cancel(request: Request) -> Response:
    await _body(request)
    return JSONResponse({"cancelled": _studio(request).cancel()})


async def media(request: Request) -> Response:
    path = _studio(request).media_file(request.path_params["path"])
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


async def poster(request: Request) -> Response:
    studio = _studio(request)
    shot_id = _shot_id(request)
    raw = request.path_params["take"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise Refused(404, f"There is no take {raw!r}: takes are numbered 1, 2, 3…")
    path = await studio.poster(shot_id, int(raw))
    return FileResponse(path, media_type="image/jpeg")


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return _error(exc.status, exc.message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("studio: %s %s failed", request.method, request.url.path, exc_info=exc)
    return _error(
        500,
        f"Something went wrong on the studio's side ({type(exc).__name__}: {exc}); the story "
        "is safe. Try again; if it happens again, the terminal running storyreel studio "
        "shows the details.",
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"There is nothing at {request.url.path}: the studio's page is at /."
    elif exc.status_code == 405:
        message = f"{request.method} does not work on {request.url.path}"
        allowed = (exc.headers or {}).get("Allow")
        message += f": use {allowed}." if allowed else "."
    else:
        message = str(exc.detail)
    return _error(exc.status_code, message)


# the guard ----------------------------------------------------------------


class Guard:
    """ASGI middleware: the token (when set) on every route but the page and /static/, and
    no POST from another web site (its Origin must be this server)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD") and origin is not None:
            host = request.headers.get("host", "")
            if origin not in (f"http://{host}", f"https://{host}"):
                await _error(
                    403,
                    "Requests from another web site are refused: use the studio's own page.",
                )(scope, receive, send)
                return
        if self.token is None:
            if _host_name(request.headers.get("host", "")) not in LOOPBACK_NAMES:
                # a web site that points its own name at 127.0.0.1 (DNS rebinding) is refused
                await _error(
                    403,
                    "This studio answers only at its own address on this machine, such as "
                    "http://127.0.0.1:PORT/ (storyreel studio printed it); to open it through "
                    "another name or from another machine, start it with --token (or --host) "
                    "and open the address it prints.",
                )(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        open_page = path == "/" or path.startswith("/static/")
        given = self._given(request)
        if not open_page:
            if given is None:
                await _error(
                    401,
                    "This studio needs its access token: open the address storyreel studio "
                    "printed when it started (it ends in ?token=…), or send the header "
                    "Authorization: Bearer TOKEN.",
                )(scope, receive, send)
                return
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                await _error(
                    403,
                    "That access token is not this studio's: use the address storyreel studio "
                    "printed when it started (each start makes a new token unless --token is "
                    "given).",
                )(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if (
            path != "/"
            or not query
            or not secrets.compare_digest(query[0].encode(), self.token.encode())
        ):
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _given(request: Request) -> str | None:
        """The token the request carries (query, Authorization: Bearer, or cookie)."""
        query = request.query_params.get("token")
        if query:
            return query
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raw = request.headers.get("cookie")
        if raw:
            jar = SimpleCookie()
            try:
                jar.load(raw)
            except Exception:
                return None
            if COOKIE in jar:
                return jar[COOKIE].value
        return None


def _host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:8765" -> "::1")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


# the app ------------------------------------------------------------------


def create_app(
    project_dir: Path,
    *,
    token: str | None = None,
    session_name: str = "studio",
    offline: bool = False,
    session_factory: Callable[[], Session] | None = None,
) -> Starlette:
    """The studio's ASGI app for the story in `project_dir` (see the module docstring).

    Args:
        project_dir: the project folder (storyreel new).
        token: when set, every route but the page and /static/ needs it.
        session_name: the conversation (Session name) the studio drives.
        offline: force the offline director.
        session_factory: makes the Session (default: `Session(project_dir, session_name,
            offline=offline)`); called once, on the session's worker thread.
    """
    studio = Studio(
        project_dir, session_name=session_name, offline=offline, session_factory=session_factory
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await studio.start()
            yield
        finally:
            await studio.stop()  # also after a start that failed half-way

    routes = [
        Route("/", page),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
        Route("/api/state", state),
        Route("/api/events", events),
        Route("/api/say", say, methods=["POST"]),
        Route("/api/answer", answer, methods=["POST"]),
        Route("/api/guide", guide, methods=["POST"]),
        Route("/api/shots/{shot_id}/lock", lock, methods=["POST"]),
        Route("/api/shots/{shot_id}/retake", retake, methods=["POST"]),
        Route("/api/shots/{shot_id}/select", select, methods=["POST"]),
        Route("/api/export", export, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/cancel", cancel, methods=["POST"]),
        Route("/media/poster/{shot_id}/{take}.jpg", poster),
        Route("/media/{path:path}", media),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token)],
        exception_handlers={Refused: refused, HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.studio = studio
    return app


class StudioServer(uvicorn.Server):
    """A uvicorn server that ends the studio's event streams when it shuts down (else it
    would wait for every open browser to go away)."""

    def __init__(self, config: uvicorn.Config, studio: Studio) -> None:
        super().__init__(config)
        self.studio = studio

    async def shutdown(self, sockets: Any = None) -> None:
        self.studio.end_streams()
        await asyncio.sleep(0)
        await super().shutdown(sockets)


def studio_server(
    app: Starlette, host: str = "127.0.0.1", port: int = 8765, *, log_level: str = "warning"
) -> StudioServer:
    """A uvicorn server for `app` (run it with `.run()`, or `.run(sockets=[...])` on a socket
    bound already; stop it with `should_exit = True`)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=5,
    )
    return StudioServer(config, app.state.studio)
