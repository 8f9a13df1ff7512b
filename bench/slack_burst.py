"""Benchmark: does the Slack HTTP endpoint ack a burst of events in time?

Slack retries an event whose ack takes over 3 s; storyreel aims at under 1 s.
The bot runs for real (offline director, the Slack Web API stand-in of the tests
on 127.0.0.1) behind `storyreel slack --http`'s server on 127.0.0.1; a separate
process opens N connections at once, each posting one signed `app_mention` that
starts a story in its own thread, and times each request from connect to the
response's status line. Threads in the bot's process (all of them, less the
stand-in's) are sampled every 5 ms.
The turns the burst starts really run (at most the cap at a time); the bench
waits for them all.

The last line is `slack ack p99: X ms at 200 events (max threads N)`.
Run: .venv/bin/python bench/slack_burst.py [events ...]   (default: 50 200)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storyreel.apps.slack.app import SlackBot  # noqa: E402
from storyreel.apps.slack.config import load_settings  # noqa: E402
from storyreel.apps.slack.http_server import make_server  # noqa: E402
from tests.fake_slack import (  # noqa: E402
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    FakeSlack,
    event_body,
    signed_headers,
)

CHANNEL = "C0BURST"
TIMEOUT_S = 20


def requests(count: int, run: int) -> list[bytes]:
    """`count` signed HTTP requests, each a mention starting its own thread."""
    out = []
    for i in range(count):
        ts = f"17100{run:02d}000.{i:06d}"
        event = {
            "type": "app_mention",
            "user": "UALICE",
            "text": f"<@{BOT_USER}> Mara is a tall woman in a red raincoat.",
            "ts": ts,
            "channel": CHANNEL,
            "event_ts": ts,
        }
        body = event_body(event, f"EvBurst{run}x{i}")
        headers = signed_headers(body)
        head = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
        raw = (
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n{body}"
        )
        out.append(raw.encode())
    return out


async def _one(port: int, raw: bytes) -> tuple[int, float]:
    """(status, seconds to the status line); status 0: no answer within TIMEOUT_S."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT_S):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw)
            await writer.drain()
            line = await reader.readline()
            elapsed = time.perf_counter() - started
            await reader.read()
            writer.close()
    except (TimeoutError, OSError):
        return 0, time.perf_counter() - started
    status = int(line.split()[1]) if line.startswith(b"HTTP/") else 0
    return status, elapsed


async def _burst(port: int, raws: list[bytes]) -> list[tuple[int, float]]:
    return await asyncio.gather(*(_one(port, raw) for raw in raws))


def client(port: int, raws: list[bytes], out: Any) -> None:
    """Runs in its own process, so the clients do not share the bot's interpreter."""
    out.put(asyncio.run(_burst(port, raws)))


def bot_threads() -> int:
    """Threads in this process, less the Slack stand-in's (one per API call it serves)."""
    return sum(1 for t in threading.enumerate() if "process_request_thread" not in t.name)


def run_burst(count: int, run: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as temporary, FakeSlack().running() as slack:
        projects = Path(temporary)
        (projects / "slack.toml").write_text('[allow]\nusers = ["*"]\n')
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "STORYREEL_SLACK_API_URL": slack.url,
        }
        bot = SlackBot(load_settings(projects, "http", env=env, offline=True))
        parallel = {"now": 0, "max": 0}
        lock = threading.Lock()
        direct = bot.runner.direct

        def counted(*args: Any) -> None:
            with lock:
                parallel["now"] += 1
                parallel["max"] = max(parallel["max"], parallel["now"])
            try:
                direct(*args)
            finally:
                with lock:
                    parallel["now"] -= 1

        bot.runner.direct = counted  # type: ignore[method-assign]
        server = make_server(bot.app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        threads = [bot_threads()]
        names: dict[str, int] = {}
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                now = bot_threads()
                if now > max(threads):
                    names.clear()
                    for thread in threading.enumerate():
                        kind = re.sub(r"[-_]?\d+", "", thread.name)
                        names[kind] = names.get(kind, 0) + 1
                threads.append(now)
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        raws = requests(count, run)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        process = context.Process(target=client, args=(server.server_address[1], raws, out))
        started = time.perf_counter()
        process.start()
        results = out.get(timeout=120)
        process.join(30)
        acked = time.perf_counter() - started
        idle = bot.wait_idle(1800)
        finished = time.perf_counter() - started
        sampling.set()
        sampler.join()
        server.shutdown()
        server.server_close()
        bot.close()
        replies = sum(1 for text in slack.texts() if "Added Mara" in text)
    times = sorted(seconds * 1000 for _, seconds in results)
    return {
        "events": count,
        "ok": sum(1 for status, _ in results if status == 200),
        "p50": statistics.median(times),
        "p99": times[int(0.99 * (len(times) - 1))],
        "max": times[-1],
        "threads": max(threads),
        "names": names,
        "parallel": parallel["max"],
        "acked_s": acked,
        "done_s": finished if idle else float("nan"),
        "replies": replies,
    }


def main(counts: list[int]) -> None:
    rows = [run_burst(count, run) for run, count in enumerate(counts)]
    print(
        f"{'events':>7}{'200 OK':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'threads':>10}{'turns at once':>15}{'all turns s':>13}{'replies':>9}"
    )
    for row in rows:
        print(
            f"{row['events']:>7}{row['ok']:>8}{row['p50']:>9.0f}{row['p99']:>9.0f}"
            f"{row['max']:>9.0f}{row['threads']:>10}{row['parallel']:>15}"
            f"{row['done_s']:>13.1f}{row['replies']:>9}"
        )
    print("threads at the peak of the last burst:", rows[-1]["names"])
    last = rows[-1]
    print(
        f"slack ack p99: {last['p99']:.0f} ms at {last['events']} events "
        f"(max threads {last['threads']})"
    )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [50, 200])
