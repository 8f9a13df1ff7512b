"""Errors that teach: every storyreel error says what was wrong and how to fix it."""

from __future__ import annotations


class StoryreelError(Exception):
    """Base class for errors a person (or an LLM) can act on.

    The message is one readable line: what was wrong, and what to do instead.
    Front ends print it as it is, without a traceback.
    """


class InvalidInputError(StoryreelError, ValueError):
    """A value given by the person or the director is not acceptable.

    It is also a `ValueError`, so pydantic validators may raise it and the
    message reaches the person through `describe_validation_error`.
    """


class OutsidePathError(InvalidInputError):
    """A path stored in story.db (a take's or a reference's file) points outside the project.

    storyreel never reads or writes outside a project folder: a shared or edited story.db
    must not make it touch other files. `path` is the path as stored.
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class NotFoundError(StoryreelError):
    """A shot, character, location, take or reference that does not exist."""


class ConflictError(StoryreelError):
    """The edit clashes with the current plan (duplicate name, locked shot...)."""


class ProjectError(StoryreelError):
    """The project folder is missing, is not a storyreel project, or is unreadable."""


class SchemaTooNewError(ProjectError):
    """The project's story.db was written by a newer storyreel."""


_FIELD_WORDS = {
    "duration_s": "duration (seconds)",
    "lens_mm": "lens (mm)",
    "fps": "frames per second",
    "shot_id": "shot id",
}


def describe_validation_error(error: Exception) -> str:
    """One readable line for a pydantic ValidationError (or any other error).

    Errors raised by storyreel's own validators already name the field and
    the accepted values; pydantic's built-in ones get the field name added.
    """
    items = getattr(error, "errors", None)
    if not callable(items):
        return str(error)
    parts = []
    for item in items():
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, StoryreelError):
            parts.append(str(cause))
            continue
        fields = [str(p) for p in item.get("loc", ()) if isinstance(p, str)]
        field = _FIELD_WORDS.get(fields[-1], fields[-1]) if fields else "value"
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        message = message.replace("Input should be", "must be")
        received = item.get("input")
        shown = f" (got {received!r})" if isinstance(received, str | int | float) else ""
        parts.append(f"{field} {message}{shown}")
    return "; ".join(dict.fromkeys(parts))


def as_storyreel_error(error: Exception) -> StoryreelError:
    """Wrap a pydantic ValidationError as an InvalidInputError with a readable message."""
    if isinstance(error, StoryreelError):
        return error
    return InvalidInputError(describe_validation_error(error))


class ProjectBusyError(StoryreelError):
    """Another process is rendering this project and the caller chose not to wait.

    `pid` is the process that holds the project's render lock (None if unknown).
    The CLI exits with `EXIT_CODE` (3) for it, so scripts can tell it from other errors.
    """

    EXIT_CODE = 3

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid
