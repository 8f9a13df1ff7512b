"""A Socket Mode stand-in: a real WebSocket server on 127.0.0.1 (RFC 6455, text frames).

Slack's Socket Mode client gets this server's ws:// address from
apps.connections.open (tests/fake_slack.py), connects, and receives envelopes
the test sends; the acks it sends back (`{"envelope_id": ...}`) are recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    """Accepts one Socket Mode connection at a time; `send` pushes an envelope to it."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/?ticket=test"
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._client: socket.socket | None = None
        self._lock = threading.Condition()
        self._stop = False

    @contextmanager
    def running(self) -> Iterator[FakeSocketMode]:
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop = True
            self.listener.close()
            if self._client is not None:
                self._client.close()

    def send(self, message: dict[str, Any]) -> None:
        """Send one JSON text frame to the connected client."""
        with self._lock:
            self._lock.wait_for(lambda: self._client is not None, timeout=10)
            assert self._client is not None, "no Socket Mode client connected"
            self._client.sendall(_frame(0x1, json.dumps(message).encode()))

    def wait_ack(self, envelope_id: str, timeout: float = 30) -> dict[str, Any]:
        """The client's ack of an envelope."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [a for a in self.acks if a.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                assert left > 0, f"no ack for {envelope_id}; acks: {self.acks}"
                self._lock.wait(left)

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(client,), daemon=True).start()

    def _talk(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        request = b""
        while not request.endswith(b"\r\n\r\n"):
            line = reader.readline()
            if not line:
                return
            request += line
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        key = headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        client.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._lock:
            self._client = client
            self.connections += 1
            self._lock.notify_all()
        client.sendall(_frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode()))
        while True:
            try:
                opcode, payload = _read_frame(reader)
            except (OSError, ValueError):
                return
            if opcode == 0x8:  # close
                client.sendall(_frame(0x8, payload[:2]))
                return
            if opcode == 0x9:  # ping -> pong
                client.sendall(_frame(0xA, payload))
            elif opcode == 0x1:
                with self._lock:
                    self.acks.append(json.loads(payload))
                    self._lock.notify_all()


def _frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked frame (servers do not mask)."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    if len(payload) < 1 << 16:
        return head + bytes([126]) + struct.pack(">H", len(payload)) + payload
    return head + bytes([127]) + struct.pack(">Q", len(payload)) + payload


def _read_frame(reader: Any) -> tuple[int, bytes]:
    """One frame from the client (clients always mask)."""
    first = reader.read(2)
    if len(first) < 2:
        raise ValueError("connection closed")
    opcode, length = first[0] & 0x0F, first[1] & 0x7F
    if length == 126:
        length = struct.unpack(">H", reader.read(2))[0]
    elif length == 127:
        length = struct.unpack(">Q", reader.read(8))[0]
    mask = reader.read(4) if first[1] & 0x80 else b"\0\0\0\0"
    data = reader.read(length)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))
