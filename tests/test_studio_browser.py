"""storyreel studio's page in a real headless browser, against a real studio server.

Debian's Chromium (/usr/bin/chromium) driven by Playwright; the server is
`running_studio` (tests/studio_helpers.py) with the offline director. Screenshots of
every step are saved as test artefacts: into $STORYREEL_TEST_ARTIFACTS/studio/<test>/
when that is set, else into the test's tmp_path (the folder is printed; run with -s).

The README's screenshot (docs/studio.png) is made by the guided test (at the guide's last
question) when STORYREEL_STUDIO_README_SHOT names the file to write:

    STORYREEL_STUDIO_README_SHOT=docs/studio.png .venv/bin/python -m pytest -s \
        tests/test_studio_browser.py -k guided
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyreel.tools.edits import SetStyle
from storyreel.tools.project import Project

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the test extra without playwright: skipped below
    sync_playwright = None

CHROMIUM = next(
    (c for c in ("/usr/bin/chromium", shutil.which("chromium")) if c and Path(c).is_file()),
    None,
)

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (/usr/bin/chromium) for the page"),
]

TURN_TIMEOUT_MS = 45_000
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}

# Plain answers to the guide's questions, by the step key in snapshot.guide.step.
GUIDE_ANSWERS = {
    "who": "My grandma Rose and her little dog Biscuit.",
    "look": "Rose has short grey hair and always wears a green coat.",
    "where": "A small fishing village by the sea, early in the morning.",
    "first": "Rose walks down to the harbour with Biscuit.",
    "wrong": "Her little boat is gone from the quay.",
    "end": "She finds the boat on the beach and laughs.",
    "hear": "The sea, the gulls and a slow piano.",
}


# Renders are quick here, so a progress bar shows only briefly: the page notes that it did.
SEE_PROGRESS = """
new MutationObserver(() => {
  const bar = document.querySelector('.card .progress:not([hidden]) [role=progressbar]');
  if (bar) window.sawProgress = Number(bar.getAttribute('aria-valuenow'));
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


# The browser could load the video (its format plays here): an error fails at once.
PLAYABLE = """selector => {
  const video = document.querySelector(selector);
  if (video.error) throw new Error(`${selector} cannot play: ${video.error.message}`);
  return video.readyState >= 1 && video.duration > 0;
}"""

# After an answer: the turn is over, and the page shows a new question, none, or the answer.
ANSWER_TAKEN = """([shown, people, version]) => {
  const q = document.getElementById('question');
  const body = document.body;
  const said = document.querySelectorAll('#transcript .line-person').length;
  return body.dataset.busy === 'false' && Number(body.dataset.version) > version &&
    (q.hidden || q.dataset.shown !== shown || said > people);
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def artefacts(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    root = os.environ.get("STORYREEL_TEST_ARTIFACTS")
    folder = (Path(root) if root else tmp_path) / "studio" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of {request.node.name}: {folder}")
    return folder


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A new, empty story (as conftest's project_dir, with a title a family might choose)."""
    folder = tmp_path / "film"
    project = Project.create(folder, title="Grandma Rose and the Boat")
    # small and short frames: previz renders in a fraction of a second (the page is tested)
    project.memory.apply([SetStyle(resolution="180p", fps=12)])
    project.close()
    return folder


@pytest.fixture
def studio(project_dir: Path) -> Iterator[str]:
    from tests.studio_helpers import running_studio

    with running_studio(project_dir, offline=True) as url:
        yield url


class Pages:
    """Pages opened on the studio, each in its own browser context (its own cookies and
    storage, like a second device in the room); JavaScript errors are collected."""

    def __init__(self, browser: Browser, url: str, folder: Path) -> None:
        self.browser = browser
        self.url = url
        self.folder = folder
        self.contexts: list[Any] = []
        self.errors: list[str] = []
        self.count = 0

    def open(self, viewport: dict[str, int] = DESKTOP) -> Page:
        context = self.browser.new_context(viewport=viewport)
        self.contexts.append(context)
        page = context.new_page()
        page.add_init_script(SEE_PROGRESS)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(self.url + "/")
        expect(page.locator("body[data-version]")).to_have_count(1)  # the first snapshot arrived
        return page

    def shot(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.mouse.move(0, 0)  # no button under the pointer (hover colours)
        page.screenshot(path=path)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, studio: str, artefacts: Path) -> Iterator[Pages]:
    opened = Pages(browser, studio, artefacts)
    yield opened
    opened.close()
    assert opened.errors == [], f"JavaScript errors on the page: {opened.errors}"


def wait_idle(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-busy", "false", timeout=TURN_TIMEOUT_MS)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"the page scrolls sideways at {inner}px wide ({width}px of content)"


def test_a_chat_turn_makes_a_card_every_browser_sees(pages: Pages) -> None:
    storyteller = pages.open(DESKTOP)
    watcher = pages.open(TABLET)  # a second device on the same story
    for page in (storyteller, watcher):
        expect(page.locator("#board-empty")).to_be_visible()
    pages.shot(storyteller, "empty-story")

    storyteller.get_by_label("Tell storyreel what happens").fill(
        "Open on Mara at the harbour at dusk, wide shot."
    )
    storyteller.get_by_role("button", name="Send").click()

    for page in (storyteller, watcher):
        card = page.locator('.card[data-shot-id="1"]')
        expect(card).to_be_visible(timeout=TURN_TIMEOUT_MS)
        expect(card.locator(".verdict[data-status]")).to_be_visible(timeout=TURN_TIMEOUT_MS)
        label = card.locator(".verdict-label").inner_text()
        assert any(word in label for word in ("Looks good", "Have a look", "Problem")), label
        assert card.locator(".verdict-words").inner_text().strip(), "the critic's words are shown"
        poster = card.locator("img")
        expect(poster).to_be_visible()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=poster.element_handle()
        )
        expect(card.locator(".card-action")).not_to_be_empty()
    wait_idle(storyteller)
    expect(storyteller.locator("#transcript .line-person")).to_contain_text(["Mara at the harbour"])
    expect(watcher.locator("#transcript .line-agent").last).to_be_visible()
    pages.shot(storyteller, "first-shot")
    pages.shot(watcher, "first-shot-on-the-tablet")

    storyteller.get_by_role("button", name="Lock shot 1").click()
    for page in (storyteller, watcher):
        card = page.locator('.card[data-shot-id="1"]')
        expect(card).to_have_class(r"card is-locked", timeout=TURN_TIMEOUT_MS)
        expect(card.locator(".lock-flag")).to_have_text("Locked")
        expect(page.get_by_role("button", name="Unlock shot 1")).to_be_visible()
    pages.shot(watcher, "locked-seen-on-the-tablet")
    assert storyteller.evaluate("window.sawProgress") is not None, "a progress bar while filming"

    # Retake, then compare the two takes side by side and keep the first.
    storyteller.get_by_role("button", name="Unlock shot 1").click()
    expect(watcher.get_by_role("button", name="Lock shot 1")).to_be_visible()
    storyteller.get_by_role("button", name="Retake shot 1").click()
    expect(watcher.get_by_role("button", name="Takes of shot 1")).to_have_text(
        "Takes (2)", timeout=TURN_TIMEOUT_MS
    )
    wait_idle(watcher)
    watcher.get_by_role("button", name="Takes of shot 1").click()
    compare = watcher.locator("#compare")
    expect(compare).to_be_visible()
    expect(compare.locator("video")).to_have_count(2)
    expect(compare.locator(".in-film")).to_have_count(1)
    pages.shot(watcher, "comparing-two-takes")
    compare.get_by_role("button", name="Use take 1 of shot 1").click()
    expect(compare.locator('.compare-side[data-take="1"] .in-film')).to_be_visible(
        timeout=TURN_TIMEOUT_MS
    )
    expect(compare.locator("video")).to_have_count(2)
    compare.get_by_role("button", name="Close").click()
    expect(compare).to_be_hidden()

    # Tapping the picture plays the take in the page.
    watcher.get_by_role("button", name="Play shot 1", exact=False).click()
    player = watcher.locator("#player")
    expect(player).to_be_visible()
    expect(watcher.locator("#player-video")).to_have_attribute("src", re.compile(r"/media/"))
    watcher.wait_for_function(PLAYABLE, arg="#player-video", timeout=TURN_TIMEOUT_MS)
    pages.shot(watcher, "playing-a-take")
    watcher.get_by_role("button", name="Close").first.click()
    expect(player).to_be_hidden()
    no_sideways_scroll(watcher)


def test_text_size_control_scales_the_page_and_is_remembered(pages: Pages) -> None:
    page = pages.open(DESKTOP)

    def size(selector: str) -> float:
        return page.evaluate(
            "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector
        )

    html_before, title_before = size("html"), size("#title")
    assert html_before >= 18, "large text by default, readable across a room"
    page.get_by_role("button", name="Bigger text").click()
    page.get_by_role("button", name="Bigger text").click()
    html_after, title_after = size("html"), size("#title")
    assert html_after > html_before and title_after > title_before
    pages.shot(page, "bigger-text")

    page.reload()
    expect(page.locator("body[data-version]")).to_have_count(1)
    assert size("html") == html_after, "the text size survives a reload"
    page.get_by_role("button", name="Smaller text").click()
    assert size("html") < html_after

    page.set_viewport_size(TABLET)
    page.get_by_role("button", name="Guide us").first.wait_for()
    no_sideways_scroll(page)
    for button in page.locator("button:visible").all():
        box = button.bounding_box()
        assert box and box["height"] >= 48 and box["width"] >= 48, (
            f"a button too small to tap: {button.inner_text()!r} {box}"
        )
    pages.shot(page, "tablet")


def test_a_guided_session_end_to_end_through_the_page(pages: Pages) -> None:
    page = pages.open(DESKTOP)
    pages.shot(page, "start")
    welcome = page.get_by_role("region", name="make a film together", exact=False)
    expect(welcome).to_be_visible()  # what a group sees first: one big button
    welcome.get_by_role("button", name="Guide us").click()
    panel = page.locator("#question")
    expect(panel).to_be_visible(timeout=TURN_TIMEOUT_MS)  # the guide's first question
    expect(panel).to_have_attribute("data-kind", "guide")
    expect(welcome).to_be_hidden()

    asked: list[tuple[str, str]] = []
    for _ in range(25):
        wait_idle(page)
        if not panel.is_visible():
            break
        step = panel.get_attribute("data-step") or ""
        kind = panel.get_attribute("data-kind") or ""
        question = page.locator("#question-text").inner_text()
        asked.append((step, question))
        pages.shot(page, f"question-{step or kind}")
        if step == "review_all" and os.environ.get("STORYREEL_STUDIO_README_SHOT"):
            save_readme_screenshot(page, Path(os.environ["STORYREEL_STUDIO_README_SHOT"]))
        shown = panel.get_attribute("data-shown")
        people = page.locator("#transcript .line-person").count()
        version = int(page.locator("body").get_attribute("data-version") or 0)

        choices = page.locator("#question-choices button")
        if kind == "approval" and choices.count():
            choices.first.click()
        else:
            repeated = sum(1 for s, q in asked if (s, q) == (step, question)) > 1
            answer = GUIDE_ANSWERS.get(step) or ("next" if repeated else "that's fine")
            if step == "look" and "Rose" not in question:
                answer = "A small brown dog with floppy ears and a red collar."
            page.get_by_label("Your answer").fill(answer)
            page.get_by_role("button", name="Answer").click()
        try:
            page.wait_for_function(
                ANSWER_TAKEN,
                arg=[shown, people, version],
                timeout=TURN_TIMEOUT_MS,
            )
        except Exception:
            pages.shot(page, "stuck")
            state = page.evaluate("fetch('/api/state').then(r => r.json())")
            pytest.fail(
                f"no new question after answering {step or kind!r}; asked so far "
                f"{asked}; the server's state: {state}"
            )
    else:
        pytest.fail(f"the guide was still asking after 25 answers: {asked}")

    guided = [q for step, q in asked if step]
    assert guided, f"the guide asked no question through the page (asked: {asked})"
    assert page.locator(".card").count() >= 1, "the answers made shots on the storyboard"
    for card in page.locator(".card").all():
        expect(card.locator("img")).to_be_visible()
    pages.shot(page, "storyboard")

    # The guide's last answer already made the film; this press makes it again. Wait for
    # that export to finish (a newer state, not busy) before asking whether the film plays.
    before = int(page.locator("body").get_attribute("data-version") or 0)
    page.get_by_role("button", name="Make the film").click()
    page.wait_for_function(
        "v => Number(document.body.dataset.version) > v && document.body.dataset.busy === 'false'",
        arg=before,
        timeout=TURN_TIMEOUT_MS,
    )
    expect(page.locator("#cut")).to_be_visible(timeout=TURN_TIMEOUT_MS)
    expect(page.locator("#cut-video")).to_have_attribute("src", re.compile(r"/media/"))
    expect(page.get_by_role("link", name="Download the film", exact=False)).to_be_visible()
    page.wait_for_function(PLAYABLE, arg="#cut-video", timeout=TURN_TIMEOUT_MS)
    wait_idle(page)
    page.locator("#cut").scroll_into_view_if_needed()
    pages.shot(page, "the-film")


def save_readme_screenshot(page: Page, path: Path) -> None:
    """The README's picture: the guide's last question over the storyboard, as a small PNG."""
    from PIL import Image

    viewport = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 1280})
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    raw = path.with_suffix(".raw.png")
    page.screenshot(path=raw)
    if viewport:
        page.set_viewport_size(viewport)
    with Image.open(raw) as image:
        small = image.convert("RGB").resize((image.width * 3 // 4, image.height * 3 // 4))
        small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    raw.unlink()
    print(f"README screenshot: {path} ({path.stat().st_size // 1024} KB)")


def test_the_film_player_recovers_when_the_film_changes_while_it_loads(
    browser: Browser, project_dir: Path, artefacts: Path
) -> None:
    """The film exported again while the page was reading the one before (a second "Make
    the film"): the player's first read fails, and the page loads the film again instead
    of leaving a dead player in front of the room."""
    from tests.conftest import Cli
    from tests.studio_helpers import running_studio

    cli = Cli(project_dir)
    cli("say", "--offline", "Open on Rose at the harbour at dawn, wide shot.")
    cli("render")
    cli("export")
    films = list((project_dir / "exports").glob("*.mp4"))
    assert len(films) == 1, films
    reads: list[str] = []

    def film(route: Any) -> None:
        reads.append(route.request.url)
        if len(reads) == 1:  # the first read finds a file being replaced: not a film
            route.fulfill(status=200, content_type="video/mp4", body=b"\0\0\0\x18ftypmp42" * 64)
        else:
            route.continue_()

    with running_studio(project_dir, offline=True) as url:
        opened = Pages(browser, url, artefacts)
        try:
            page = opened.browser.new_context(viewport=DESKTOP).new_page()
            opened.contexts.append(page.context)
            page.route(re.compile(r"/media/exports/"), film)
            page.on("pageerror", lambda error: opened.errors.append(str(error)))
            page.goto(url + "/")
            expect(page.locator("#cut")).to_be_visible(timeout=TURN_TIMEOUT_MS)
            page.wait_for_function(
                "s => { const v = document.querySelector(s); return v.readyState >= 1 && "
                "v.duration > 0 && !v.error; }",
                arg="#cut-video",
                timeout=TURN_TIMEOUT_MS,
            )
            opened.shot(page, "film-loaded-again")
        finally:
            opened.close()
    assert len(reads) >= 2, f"the page read the film {len(reads)} time(s): {reads}"
    assert opened.errors == [], f"JavaScript errors on the page: {opened.errors}"
