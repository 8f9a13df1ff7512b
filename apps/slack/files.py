"""Files people share in a story thread: checked, then downloaded with the bot token.

A file is refused *before* downloading when Slack says it is too big or not an
image, video or audio file; the download itself also stops at the size limit.
The bot token is only ever sent to Slack's own hosts (or the configured API
host), never to a URL from elsewhere. Downloaded files are handed to the
Session as attachments, which turns them into references (@image1, ...).

Names and ids come from whoever shared the file: a download lands in a new
folder of its own inside the inbox, named after the file id made safe, under
the file's name made safe (no folders, no control characters, at most
NAME_BYTES bytes); a path that would still leave the inbox is refused.
"""

from __future__ import annotations

import re
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storyreel.tools.errors import StoryreelError
from storyreel.tools.vocabulary import MediaKind

ACCEPTED_KINDS = tuple(kind.value for kind in MediaKind)
"""Major MIME types a reference may have: image, video, audio."""
ACCEPTED_HINT = "images, video clips and audio (e.g. PNG/JPEG, MP4/MOV/WebM, WAV/MP3)"
_CHUNK = 1 << 16
NAME_BYTES = 120
"""Longest file name written, in UTF-8 bytes (file systems allow 255)."""


class FileRefused(StoryreelError):
    """A shared file cannot be used; the message says why and what is accepted."""


@dataclass(frozen=True)
class SlackFile:
    """The parts of a Slack file object the bot uses."""

    id: str
    name: str
    mimetype: str
    size: int | None
    url: str

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> SlackFile:
        size = str(data.get("size"))
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name") or data.get("title") or data.get("id") or "file"),
            mimetype=str(data.get("mimetype") or ""),
            size=int(size) if size.isascii() and size.isdigit() and len(size) < 20 else None,
            url=str(data.get("url_private_download") or data.get("url_private") or ""),
        )


def megabytes(size: int) -> str:
    """A byte count as people read it (500 MB, 1.5 MB, 12 KB)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} KB"


def check_size(file: SlackFile, max_bytes: int) -> None:
    """Refuse a file Slack says is larger than `max_bytes` (unknown size passes).

    Raises:
        FileRefused: too big; the message gives the limit and the accepted kinds.
    """
    if file.size is not None and file.size > max_bytes:
        raise FileRefused(
            f"{file.name} is {megabytes(file.size)}; files up to {megabytes(max_bytes)} are "
            f"accepted ({ACCEPTED_HINT})"
        )


def check_file(file: SlackFile, max_bytes: int) -> None:
    """Refuse a file by what Slack says about it (size, MIME type), before any download.

    Raises:
        FileRefused: too big or not image/video/audio.
    """
    check_size(file, max_bytes)
    major = file.mimetype.split("/", 1)[0].lower()
    if major not in ACCEPTED_KINDS:
        kind = file.mimetype or "an unknown type"
        raise FileRefused(
            f"{file.name} is {kind}; I can only use {ACCEPTED_HINT}, up to {megabytes(max_bytes)}"
        )


def describe(client: WebClient, data: dict[str, Any]) -> SlackFile:
    """The file as the event gave it, completed with files.info when parts are missing."""
    file = SlackFile.from_payload(data)
    complete = file.url and file.size is not None and file.mimetype
    if complete and data.get("file_access") != "check_file_info":
        return file
    try:
        info = client.files_info(file=file.id)
    except SlackApiError as error:
        raise FileRefused(
            f"I could not read {file.name} from Slack ({error.response.get('error')}); "
            "the app needs the files:read scope"
        ) from None
    return SlackFile.from_payload(info["file"])


def trusted(url: str, api_url: str) -> bool:
    """True for URLs the bot token may be sent to: Slack's hosts over https, or the API host."""
    parts, api = urlsplit(url), urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == api.scheme and host == (api.hostname or "").lower():
        return parts.port == api.port
    return parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))


class _TrustedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if not trusted(newurl, self.api_url):
            raise FileRefused("Slack redirected the download to a host I do not trust")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name safe to write: no folders, no odd characters, not empty, at most
    NAME_BYTES bytes (the extension is kept when the name is cut)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", last).strip(" .")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension.encode()) > 16:
        stem, dot, extension = cleaned, "", ""
    room = NAME_BYTES - len(f"{dot}{extension}".encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").strip(" .")
    return f"{stem}{dot}{extension}" if stem else fallback


def safe_id(file_id: str) -> str:
    """A Slack file id (F0123ABCD) as a folder name part: letters, digits, - and _ only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", file_id)[:40].strip("_") or "file"


def download(
    file: SlackFile, folder: Path, *, token: str, max_bytes: int, api_url: str, timeout: float = 60
) -> Path:
    """Download a checked file into `folder`, reading at most `max_bytes`.

    Returns:
        The downloaded file's path: a new folder of its own inside `folder`, the
        Slack file's name made safe.

    Raises:
        FileRefused: untrusted URL, HTTP error, a web page instead of the file
            (missing files:read scope), more bytes than allowed, or a name that
            would leave `folder`.
    """
    if not file.url or not trusted(file.url, api_url):
        raise FileRefused(f"{file.name} has no download address on Slack I can use")
    request = urllib.request.Request(file.url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(_TrustedRedirects(api_url))
    folder.mkdir(parents=True, exist_ok=True)
    own = Path(tempfile.mkdtemp(prefix=f"{safe_id(file.id)}-", dir=folder))
    target = own / safe_name(file.name)
    if not target.resolve().is_relative_to(folder.resolve()):
        own.rmdir()
        raise FileRefused(f"{file.name} cannot be saved under that name")
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.headers.get_content_type() == "text/html":
                raise FileRefused(
                    f"Slack sent a web page instead of {file.name}: the app needs the "
                    "files:read scope (reinstall it after adding the scope)"
                )
            read = 0
            with target.open("wb") as out:
                while block := response.read(_CHUNK):
                    read += len(block)
                    if read > max_bytes:
                        raise FileRefused(
                            f"{file.name} is larger than {megabytes(max_bytes)}; files up to "
                            f"{megabytes(max_bytes)} are accepted ({ACCEPTED_HINT})"
                        )
                    out.write(block)
    except (urllib.error.URLError, OSError) as error:
        _remove(own, target)
        raise FileRefused(f"I could not download {file.name} from Slack ({error})") from None
    except FileRefused:
        _remove(own, target)
        raise
    return target


def _remove(own: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    own.rmdir()
