"""A project: one story on disk.

Layout of a project folder:

    story.db        the continuity memory (plan, revisions, takes) - the source of truth
    media/refs/     reference files, named by content hash
    media/takes/    rendered takes, named by the hash of their render request
    media/keyframes/  candidate stills of shots (storyreel keyframes), named by content hash
    exports/        final cuts, storyboard sheets and timelines
    render.lock     held by the process that renders (see tools.render_lock)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from storyreel.tools.errors import OutsidePathError, ProjectError, as_storyreel_error
from storyreel.tools.memory import ContinuityMemory
from storyreel.tools.render_lock import RenderLock
from storyreel.tools.story import StoryPlan, Style, check_stored_path

DB_NAME = "story.db"


def file_inside(root: Path, stored: str) -> Path:
    """`root / stored`, refused unless it resolves inside `root` (links followed).

    Raises:
        OutsidePathError: the path leads outside the project folder.
    """
    check_stored_path(stored)
    path = Path(root) / stored
    resolved, inside = path.resolve(), Path(root).resolve()
    if not resolved.is_relative_to(inside):
        raise OutsidePathError(
            f"the path {stored!r} in story.db leads to {resolved}, outside the project folder "
            f"{inside} (through a link); storyreel never reads or writes outside a project: "
            "run `storyreel doctor` to list such paths",
            path=stored,
        )
    return path


@dataclass
class Project:
    """An open project folder and its continuity memory."""

    root: Path
    memory: ContinuityMemory
    _render_lock: RenderLock | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def render_lock(self) -> RenderLock:
        """The project's render lock as held by this object (one rendering process per project)."""
        if self._render_lock is None:
            self._render_lock = RenderLock(self.root)
        return self._render_lock

    def file_of(self, stored: str) -> Path:
        """The file a path stored in story.db names (a take's, a reference's).

        Raises:
            OutsidePathError: the path leads outside the project folder (`..`, an
                absolute path, or a link that points out); nothing is read or written.
        """
        return file_inside(self.root, stored)

    @property
    def refs_dir(self) -> Path:
        return self.root / "media" / "refs"

    @property
    def takes_dir(self) -> Path:
        return self.root / "media" / "takes"

    @property
    def keyframes_dir(self) -> Path:
        """Candidate stills (tools/keyframes.py), made when the first one is written."""
        return self.root / "media" / "keyframes"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @classmethod
    def create(
        cls, root: Path, *, title: str = "Untitled", aspect: str = "16:9", fps: int = 24
    ) -> Project:
        """Create a new project folder (it may exist if it is empty or has no story.db).

        Raises:
            ProjectError: the folder already holds a story, or is a file.
            InvalidInputError: the title, aspect or fps is not acceptable.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root} is a file, not a folder: choose another path")
        if (root / DB_NAME).exists():
            raise ProjectError(
                f"{root} is already a storyreel project; open it with -p {root} "
                "or choose an empty folder"
            )
        title = title.strip() or "Untitled"
        try:
            plan = StoryPlan(title=title, style=Style(aspect=aspect, fps=fps))
        except ValidationError as error:
            raise as_storyreel_error(error) from error
        root.mkdir(parents=True, exist_ok=True)
        memory = ContinuityMemory.create(root / DB_NAME, plan)
        project = cls(root, memory)
        for folder in (project.refs_dir, project.takes_dir, project.exports_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return project

    @classmethod
    def open(cls, root: Path) -> Project:
        """Open an existing project folder.

        Opening runs a quick check of story.db (see `ContinuityMemory.open`): a damaged
        one is refused with the way out, and nothing is written into it.

        Raises:
            ProjectError: the folder does not exist or is not a storyreel project.
            DamagedDatabaseError: story.db is damaged.
            ReadOnlyProjectError: the folder or story.db cannot be written.
            OutsidePathError: story.db holds a path outside the project.
            SchemaTooNewError: the story was written by a newer storyreel.
        """
        root = Path(root)
        if not root.is_dir():
            raise ProjectError(
                f"project folder {root} does not exist; create one with: storyreel new {root}"
            )
        if not (root / DB_NAME).is_file():
            raise ProjectError(
                f"{root} is not a storyreel project (no {DB_NAME}); create one with: "
                f"storyreel new {root}, or point -p at an existing project"
            )
        project = cls(root, ContinuityMemory.open(root / DB_NAME))
        for folder in (project.refs_dir, project.takes_dir, project.exports_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return project

    def close(self) -> None:
        """Close the project's database (and give back its render lock if held)."""
        if self._render_lock is not None:
            self._render_lock.close()
        self.memory.close()
