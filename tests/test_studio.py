"""storyreel studio's server: every route, bad input refused, the live event stream shared by
every browser, the token off-loopback, media confined to the story's media folders, and the
`storyreel studio` command. The offline director and the previz renderer do the work."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from storyreel.agent.events import AgentEvent
from storyreel.agent.guide import GuideStatus
from storyreel.agent.session import Session
from storyreel.apps.cli import app as cli_app
from storyreel.apps.studio import server as studio_module
from storyreel.apps.studio.server import create_app
from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project
from tests.studio_helpers import running_studio, serving

OPENING = "Open on Mara at the harbour at dusk, wide shot."
Event = tuple[str, Any]


@pytest.fixture
def film(tmp_path: Path) -> Path:
    """A new story, small and short so previz renders in a fraction of a second."""
    project = Project.create(tmp_path / "film", title="Test Film")
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return tmp_path / "film"


@pytest.fixture
def rendered(film: Path) -> Path:
    """The story with shot 1 and its first take (made through a Session, as the studio would)."""
    with Session(film, "studio", offline=True) as session:
        list(session.send(OPENING))
    return film


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One studio on an empty story for the tests of refused requests (they change nothing)."""
    folder = tmp_path_factory.mktemp("idle") / "film"
    Project.create(folder, title="Idle Film").close()
    with local(create_app(folder, offline=True)) as test_client:
        yield test_client


@pytest.fixture
def client(film: Path) -> Iterator[TestClient]:
    with local(create_app(film, offline=True)) as test_client:
        yield test_client


def local(app: Any) -> TestClient:
    """A test client that calls the app at http://127.0.0.1 (a studio without a token
    answers only to a loopback Host)."""
    return TestClient(app, base_url="http://127.0.0.1")


def settled(client: TestClient, timeout_s: float = 30) -> dict[str, Any]:
    """The snapshot once the turn in progress (if any) has finished."""
    deadline = time.monotonic() + timeout_s
    while True:
        snapshot = client.get("/api/state").json()
        if not snapshot["busy"]:
            return snapshot
        assert time.monotonic() < deadline, f"the turn did not end: {snapshot['busy_text']}"
        time.sleep(0.05)


def post(client: TestClient, path: str, body: object = None) -> httpx.Response:
    return client.post(path, json=body if body is not None else {})


def turn(client: TestClient, path: str, body: object = None) -> dict[str, Any]:
    """POST a turn, check it was accepted, and return the snapshot once it ended."""
    response = post(client, path, body)
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": True}
    return settled(client)


# the page and the snapshot --------------------------------------------------------------


def test_page_static_files_and_an_empty_story(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/studio.css").status_code == 200
    missing = client.get("/static/nothing.js")
    assert missing.status_code == 404 and "error" in missing.json()
    snapshot = client.get("/api/state").json()
    assert snapshot["title"] == "Test Film"
    assert snapshot["shots"] == [] and snapshot["cut"] is None and snapshot["busy"] is False
    assert snapshot["question"] is None and snapshot["guide"] is None


def test_a_message_builds_and_renders_a_shot(client: TestClient) -> None:
    snapshot = turn(client, "/api/say", {"text": OPENING})
    (shot,) = snapshot["shots"]
    assert shot["number"] == 1 and shot["size"] == "LS" and shot["location"] == "Harbour"
    assert shot["needs_render"] is False and shot["locked"] is False
    take = shot["take"]
    assert take["number"] == 1 and take["backend"] == "previz" and take["status"] == "ok"
    assert take["verdict"] == "Take 1: looks right."
    assert [line["who"] for line in snapshot["transcript"]] == ["person", "agent"]
    assert snapshot["transcript"][0]["text"] == OPENING
    assert snapshot["locations"][0]["handle"] == "@harbour"
    video = client.get(take["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    poster = client.get(take["poster_url"])
    assert poster.status_code == 200 and poster.headers["content-type"] == "image/jpeg"
    assert poster.content[:2] == b"\xff\xd8"
    assert client.get(take["poster_url"]).content == poster.content  # made once, kept


def test_retake_select_lock_export_undo_change_what_the_page_shows(client: TestClient) -> None:
    turn(client, "/api/say", {"text": OPENING})
    retaken = turn(client, "/api/shots/1/retake")
    shot = retaken["shots"][0]
    assert [t["number"] for t in shot["takes"]] == [1, 2] and shot["take"]["number"] == 2
    chosen = turn(client, "/api/shots/1/select", {"take": 1})
    assert chosen["shots"][0]["take"]["number"] == 1
    assert chosen["transcript"][-2] == {"who": "person", "text": "Use take 1 for shot 1"}
    locked = turn(client, "/api/shots/1/lock", {"locked": True})
    assert locked["shots"][0]["locked"] is True
    exported = turn(client, "/api/export")
    assert exported["cut"]["name"] == "test-film.mp4"
    cut = client.get(exported["cut"]["url"])
    assert cut.status_code == 200 and cut.headers["content-type"] == "video/mp4"
    undone = turn(client, "/api/undo")
    assert undone["shots"][0]["locked"] is False


def test_an_approval_waits_for_an_answer_and_blocks_the_buttons(client: TestClient) -> None:
    turn(client, "/api/say", {"text": OPENING})
    asked = turn(client, "/api/say", {"text": "delete shot 1"})
    question = asked["question"]
    assert question["kind"] == "approval" and question["choices"] == ["yes", "no"]
    assert "remove shot 1" in question["text"]
    refused = post(client, "/api/shots/1/lock", {"locked": True})
    assert refused.status_code == 409 and "answer it" in refused.json()["error"]
    answered = turn(client, "/api/answer", {"value": "no"})
    assert answered["question"] is None and len(answered["shots"]) == 1
    nothing = post(client, "/api/answer", {"value": "yes"})
    assert nothing.status_code == 409 and "Nothing is being asked" in nothing.json()["error"]


# busy, cancel, the guide ------------------------------------------------------------------


class HeldSession(Session):
    """A Session whose turns wait for `release` (so a test sees the studio busy)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()

    def send(self, text: str, attachments: Any = ()) -> Iterator[AgentEvent]:
        self.release.wait(20)
        yield from super().send(text, attachments)


def test_a_second_turn_while_busy_is_refused_and_stop_is_heard(film: Path) -> None:
    held: list[HeldSession] = []

    def factory() -> Session:
        held.append(HeldSession(film, "studio", offline=True))
        return held[0]

    with local(create_app(film, session_factory=factory)) as client:
        assert post(client, "/api/say", {"text": OPENING}).status_code == 202
        assert client.get("/api/state").json()["busy_text"] == OPENING
        second = post(client, "/api/say", {"text": "Add a close-up of Mara."})
        assert second.status_code == 409 and "still busy" in second.json()["error"]
        assert post(client, "/api/export").status_code == 409
        assert post(client, "/api/cancel").json() == {"cancelled": True}
        held[0].release.set()
        settled(client)
        assert post(client, "/api/cancel").json() == {"cancelled": False}


class GuidedSession(Session):
    """A Session with a stand-in guided mode (agent/guide.py's interface)."""

    guiding = False
    heard: list[str]

    def guide_status(self) -> GuideStatus | None:
        if not self.guiding:
            return None
        return GuideStatus("premise", "What is the story about?", "One sentence.", 1, 8, "story")

    def send(self, text: str, attachments: Any = ()) -> Iterator[AgentEvent]:
        self.heard = [*getattr(self, "heard", []), text]
        if text == "guide us":
            self.guiding = True
            yield AgentEvent(type="reply", text="Let us build it step by step.")
            return
        self.guiding = False
        yield AgentEvent(type="reply", text=f"Noted: {text}")


def test_the_guided_mode_asks_through_the_snapshot(film: Path) -> None:
    sessions: list[GuidedSession] = []

    def factory() -> Session:
        sessions.append(GuidedSession(film, "studio", offline=True))
        return sessions[0]

    with local(create_app(film, session_factory=factory)) as client:
        guided = turn(client, "/api/guide")
        assert guided["guide"] == {
            "step": "premise",
            "question": "What is the story about?",
            "hint": "One sentence.",
            "number": 1,
            "total": 8,
            "part": "story",
        }
        assert guided["question"]["kind"] == "guide"
        assert guided["question"]["text"] == "What is the story about?"
        answered = turn(client, "/api/answer", {"value": "A letter that comes too late."})
        assert answered["guide"] is None and answered["question"] is None
    assert sessions[0].heard == ["guide us", "A letter that comes too late."]


# bad input, every route -------------------------------------------------------------------

POSTS = [
    ("/api/say", {"text": "hi"}),
    ("/api/answer", {"value": "yes"}),
    ("/api/guide", {}),
    ("/api/shots/1/lock", {"locked": True}),
    ("/api/shots/1/retake", {}),
    ("/api/shots/1/select", {"take": 1}),
    ("/api/export", {}),
    ("/api/undo", {}),
    ("/api/cancel", {}),
]


@pytest.mark.parametrize(("path", "good"), POSTS, ids=[p for p, _ in POSTS])
def test_every_post_route_refuses_what_is_not_a_json_object(
    idle: TestClient, path: str, good: dict[str, Any]
) -> None:
    client = idle
    for raw in (b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"{" + b" " * 70_000 + b"}"):
        response = client.post(path, content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400, (path, raw[:10], response.text)
        assert response.json()["error"]
    wrong = client.get(path)
    assert wrong.status_code == 405 and "POST" in wrong.json()["error"]
    stranger = client.post(path, json=good, headers={"origin": "http://evil.example"})
    assert stranger.status_code == 403 and "another web site" in stranger.json()["error"]


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/say", {}, 400, '"text"'),
        ("/api/say", {"text": 3}, 400, "must be text"),
        ("/api/say", {"text": "   "}, 400, "empty"),
        ("/api/say", {"text": "x" * 4001}, 400, "4000"),
        ("/api/answer", {"value": None}, 400, "must be text"),
        ("/api/answer", {}, 400, '"value"'),
        ("/api/shots/1/lock", {}, 400, '"locked"'),
        ("/api/shots/1/lock", {"locked": "yes"}, 400, '"locked"'),
        ("/api/shots/1/select", {"take": "2"}, 400, "number"),
        ("/api/shots/1/select", {"take": True}, 400, "number"),
        ("/api/shots/1/select", {"take": 0}, 400, "number"),
        ("/api/shots/1/lock", {"locked": True}, 404, "There is no shot 1"),
        ("/api/shots/1/retake", {}, 404, "the story has no shots"),
        ("/api/shots/abc/retake", {}, 404, "There is no shot 'abc'"),
        ("/api/shots/0/retake", {}, 404, "There is no shot"),
        ("/api/shots/1/select", {"take": 1}, 404, "There is no shot 1"),
        ("/api/answer", {"value": "yes"}, 409, "Nothing is being asked"),
    ],
)
def test_bad_fields_are_refused_with_what_to_do(
    idle: TestClient, path: str, body: dict[str, Any], status: int, words: str
) -> None:
    client = idle
    response = post(client, path, body)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]
    assert client.get("/api/state").json()["busy"] is False


def test_a_take_that_does_not_exist_is_refused(rendered: Path) -> None:
    with local(create_app(rendered, offline=True)) as client:
        response = post(client, "/api/shots/1/select", {"take": 7})
        assert response.status_code == 404 and "it has takes 1" in response.json()["error"]
        assert client.get("/media/poster/1/7.jpg").status_code == 404
        assert client.get("/media/poster/9/1.jpg").status_code == 404
        assert client.get("/media/poster/1/x.jpg").status_code == 404
        unknown = client.get("/api/nothing")
        assert unknown.status_code == 404 and "studio's page is at /" in unknown.json()["error"]


# media ------------------------------------------------------------------------------------


def test_media_stays_inside_the_story_media_folders(rendered: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the page")
    takes = rendered / "media" / "takes"
    (takes / "out.mp4").symlink_to(secret)
    (takes / "db.mp4").symlink_to(rendered / "story.db")
    with local(create_app(rendered, offline=True)) as client:
        for path in (
            "/media/story.db",
            "/media/agent.db",
            "/media/media/takes/%2e%2e/%2e%2e/story.db",
            "/media/media/takes/..%2f..%2fstory.db",
            "/media/%2fetc%2fpasswd",
            "/media//etc/passwd",
            "/media/media/takes/out.mp4",
            "/media/media/takes/db.mp4",
            "/media/media/takes/none.mp4",
            "/media/media/refs/x.png",
            "/media/media/takes",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "error" in response.json()
            assert "not for the page" not in response.text


def test_a_range_request_gets_part_of_the_video(rendered: Path) -> None:
    with local(create_app(rendered, offline=True)) as client:
        url = client.get("/api/state").json()["shots"][0]["take"]["url"]
        whole = client.get(url)
        part = client.get(url, headers={"range": "bytes=0-99"})
    assert whole.headers["accept-ranges"] == "bytes"
    assert part.status_code == 206 and part.content == whole.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"


# the token ------------------------------------------------------------------------------


def test_a_token_guards_everything_but_the_page(film: Path) -> None:
    with local(create_app(film, offline=True, token="s3cret")) as client:
        assert client.get("/").status_code == 200
        assert client.get("/static/app.js").status_code == 200
        for method, path in (("GET", "/api/state"), ("GET", "/api/events"), ("POST", "/api/say")):
            response = client.request(method, path, json={"text": "hi"})
            assert response.status_code == 401, path
            assert "access token" in response.json()["error"]
            assert "?token=" in response.json()["error"]
        wrong = client.get("/api/state", params={"token": "guess"})
        assert wrong.status_code == 403 and "not this studio's" in wrong.json()["error"]
        assert client.get("/media/poster/1/1.jpg").status_code == 401
        assert client.get("/api/state", params={"token": "s3cret"}).status_code == 200
        bearer = {"authorization": "Bearer s3cret"}
        assert client.get("/api/state", headers=bearer).status_code == 200
        opened = client.get("/", params={"token": "s3cret"})
        assert "storyreel_token=s3cret" in opened.headers["set-cookie"]
        assert "httponly" in opened.headers["set-cookie"].lower()
        assert client.get("/api/state").status_code == 200  # the cookie from now on


# a real server: the event stream, two browsers -------------------------------------------


def events_of(lines: Iterator[str]) -> Iterator[Event]:
    """Parse a text/event-stream into (event, data) pairs (comments as ("comment", text))."""
    name, data = "message", []
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def read_until(events: Iterator[Event], done: Callable[[str, Any], bool]) -> list[Event]:
    """Events up to and including the first that is `done` (at most 500)."""
    seen = []
    for _ in range(500):
        name, data = next(events)
        seen.append((name, data))
        if done(name, data):
            return seen
    raise AssertionError(f"no end after 500 events: {seen[-5:]}")


def turn_over(name: str, data: Any) -> bool:
    return name == "state" and not data["busy"] and bool(data["transcript"])


def test_two_browsers_see_the_same_turn_live(film: Path) -> None:
    with (
        running_studio(film) as url,
        httpx.Client(base_url=url, timeout=30) as http,
        http.stream("GET", "/api/events") as one,
        http.stream("GET", "/api/events") as two,
    ):
        assert one.headers["content-type"].startswith("text/event-stream")
        first, second = events_of(one.iter_lines()), events_of(two.iter_lines())
        for stream in (first, second):
            name, snapshot = next(stream)
            assert name == "state" and snapshot["shots"] == []
        said = http.post("/api/say", json={"text": OPENING})
        assert said.status_code == 202
        seen = [read_until(first, turn_over), read_until(second, turn_over)]
    for events in seen:
        names = [name for name, _ in events]
        assert names[0] == "busy" and events[0][1] == {"busy": True, "text": OPENING}
        agent = [data for name, data in events if name == "agent"]
        kinds = [event["type"] for event in agent]
        assert kinds[0] == "plan" and "progress" in kinds and "take" in kinds
        assert kinds[-1] == "reply" and "Rendered shot 1." in agent[-1]["text"]
        assert {"busy": False, "text": ""} in [data for name, data in events if name == "busy"]
        states = [data for name, data in events if name == "state"]
        assert any(len(s["shots"]) == 1 and s["busy"] for s in states)  # before the turn ended
        final = states[-1]
        assert final["shots"][0]["take"]["number"] == 1 and final["version"] > 0
    assert [data for name, data in seen[0]] == [data for name, data in seen[1]]


def test_stopping_the_server_ends_open_streams(film: Path) -> None:
    listening, ended = threading.Event(), threading.Event()

    def listen(url: str) -> None:
        with httpx.stream("GET", f"{url}/api/events", timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: state"):
                    listening.set()
        ended.set()

    with running_studio(film) as url:
        threading.Thread(target=listen, args=(url,), daemon=True).start()
        assert listening.wait(10)
        stopping = time.monotonic()
    assert ended.wait(5) and time.monotonic() - stopping < 3


def test_a_browser_that_goes_away_is_dropped(film: Path) -> None:
    app = create_app(film, offline=True)
    studio = app.state.studio
    with serving(app) as url:
        with httpx.stream("GET", f"{url}/api/events", timeout=30) as stream:
            lines = stream.iter_lines()  # kept: a dropped iterator closes the stream
            assert next(events_of(lines))[0] == "state"
            assert len(studio._subscribers) == 1
        deadline = time.monotonic() + 5
        while studio._subscribers and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not studio._subscribers


def test_without_a_token_only_loopback_names_are_answered(film: Path) -> None:
    with local(create_app(film, offline=True)) as client:
        for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"):
            assert client.get("/api/state", headers={"host": host}).status_code == 200, host
        for host in ("evil.example:8765", "evil.example", "192.168.1.5:8765"):
            response = client.get("/api/state", headers={"host": host})
            assert response.status_code == 403, host
            assert "--host" in response.json()["error"]


def test_the_stream_keeps_alive_and_needs_the_token(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(studio_module, "KEEP_ALIVE_S", 0.1)
    with running_studio(film, token="s3cret") as url, httpx.Client(timeout=30) as http:
        assert http.get(f"{url}/api/events").status_code == 401
        with http.stream("GET", f"{url}/api/events?token=s3cret") as stream:
            events = events_of(stream.iter_lines())
            assert next(events)[0] == "state"
            assert next(events) == ("comment", "keep-alive")


# the command ------------------------------------------------------------------------------


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli_app, ["studio", *args])


def test_studio_help_and_a_folder_without_a_story(tmp_path: Path) -> None:
    shown = run_cli("--help")
    assert shown.exit_code == 0
    for option in ("--host", "--port", "--token", "--session", "--offline"):
        assert option in shown.stdout
    missing = run_cli("-p", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert "does not exist; create one with: storyreel new" in missing.stderr


def test_a_busy_port_is_named_with_the_way_out(film: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        result = run_cli("-p", str(film), "--port", str(port))
    finally:
        taken.close()
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr


class FakeServer:
    """Stands in for the uvicorn server: records what the command built."""

    made: ClassVar[list[tuple[Any, str, int]]] = []

    def __init__(self, app: Any, host: str, port: int) -> None:
        self.started = True
        FakeServer.made.append((app, host, port))

    def run(self, sockets: list[socket.socket]) -> None:
        assert sockets[0].getsockname()[1] == FakeServer.made[-1][2]


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_off_loopback_the_command_makes_and_prints_a_token(
    film: Path, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(studio_module, "studio_server", FakeServer)
    FakeServer.made.clear()
    result = run_cli("-p", str(film), "--host", host, "--port", "0", "--offline")
    assert result.exit_code == 0, result.output
    app, _, port = FakeServer.made[0]
    token = app.user_middleware[0].kwargs["token"]
    assert "Ctrl+C stops the studio" in result.stdout
    if host == "127.0.0.1":
        assert token is None
        assert f"'Test Film' at http://127.0.0.1:{port}/\n" in result.stdout
        assert "other machines" not in result.stdout
    else:
        assert token and len(token) >= 20
        assert f":{port}/?token={token}" in result.stdout
        assert "reachable from other machines" in result.stdout
        assert "only with the access token" in result.stdout


def test_a_given_token_is_used_on_loopback_too(film: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(studio_module, "studio_server", FakeServer)
    FakeServer.made.clear()
    result = run_cli("-p", str(film), "--port", "0", "--token", "mine")
    assert result.exit_code == 0, result.output
    assert FakeServer.made[0][0].user_middleware[0].kwargs["token"] == "mine"
    assert "?token=mine" in result.stdout
    assert os.environ.get("STORYREEL_CLIP_MODEL") == "off"  # conftest's, untouched


def test_a_shot_with_candidate_stills_shows_them(rendered: Path) -> None:
    made = CliRunner().invoke(cli_app, ["keyframes", "1", "-n", "2", "-p", str(rendered)])
    assert made.exit_code == 0, made.output
    with local(create_app(rendered, offline=True)) as client:
        still = client.get("/api/state").json()["shots"][0]["still_url"]
        assert still == "/media/exports/keyframes-shot1.png"
        picture = client.get(still)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"


class BrokenSession(Session):
    """A Session whose turns fail half-way (a bug, a full disk)."""

    def send(self, text: str, attachments: Any = ()) -> Iterator[AgentEvent]:
        yield AgentEvent(type="notice", text="Starting.")
        raise RuntimeError("the disk is full")


def test_a_failed_turn_is_said_and_the_studio_goes_on(film: Path) -> None:
    app = create_app(film, session_factory=lambda: BrokenSession(film, "studio", offline=True))
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("GET", "/api/events") as stream:
            events = events_of(stream.iter_lines())
            next(events)
            assert http.post("/api/say", json={"text": OPENING}).status_code == 202
            seen = read_until(events, lambda name, data: name == "busy" and not data["busy"])
        problems = [data["text"] for name, data in seen if name == "agent"]
        assert problems[0] == "Starting."
        assert problems[1].startswith("Something went wrong (RuntimeError: the disk is full)")
        assert http.post("/api/say", json={"text": OPENING}).status_code == 202


def test_guide_us_starts_the_sessions_guided_mode(client: TestClient) -> None:
    first = turn(client, "/api/guide")
    guide = first["guide"]
    assert guide is not None and guide["number"] == 1 and guide["total"] > 1
    assert first["question"] == {
        "text": guide["question"],
        "choices": [],
        "kind": "guide",
        "hint": guide["hint"],
    }
    assert first["transcript"][0] == {"who": "person", "text": "guide us"}
    second = turn(client, "/api/answer", {"value": "Mara, a fisherwoman in a red coat"})
    assert second["guide"]["number"] == 2 and second["question"]["kind"] == "guide"
