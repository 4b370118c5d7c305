"""Per-user state of the browser studio: who the user is, where their projects and renders live, autosave,
cancel flags, and the one place where studio errors become ``gr.Error``.

The Project in ``gr.State`` is the single source of truth; every step that changes it saves it at once to
``DATA/projects/<user>/<project-id>/project.json`` (media bundled beside it), so a reload or a restart loses
nothing. The user is a random id kept in the browser's localStorage (``gr.BrowserState``), encrypted with a
secret stored in the data folder so it survives a server restart. Renders go to fresh folders under
``DATA/renders`` and are removed after ``STUDIO_RENDER_MAX_AGE_H`` hours.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import gradio as gr

from studio.errors import ProjectError, StudioError
from studio.project.limits import JobQuota
from studio.project.model import Project
from studio.settings import Settings
from ui.i18n import EN, say, words_of_this_event

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
API_USER = "api"  # projects made through the API (and MCP) live under this name


def new_user_id() -> str:
    return uuid.uuid4().hex


def valid_id(value: object) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~])/[^\s'\"<>,;()]*[^\s'\"<>,;().]")


def _name_within_project(path: str) -> str:
    """``DATA/projects/<user>/<project>/shots/a.mp4`` as ``shots/a.mp4``; any other absolute path as its name."""
    parts = PurePosixPath(path).parts
    for i in range(len(parts) - 2):
        if parts[i] == "projects" and valid_id(parts[i + 1]) and valid_id(parts[i + 2]):
            return "/".join(parts[i + 3:]) or "the project folder"
    return parts[-1] if len(parts) > 1 else path


def without_server_paths(message: str) -> str:
    """A message for a browser or an API client: files named by their name within the project (or their own
    name), never by where the server keeps them."""
    return _ABSOLUTE_PATH.sub(lambda m: _name_within_project(m.group()), message)


def as_gr_error(err: StudioError, words: dict[str, str] | None = None) -> gr.Error:
    """The error as the one sentence the user sees: no server path, in the browser's language (``words``, else the
    language of the event being handled)."""
    from ui.sentences import translate

    message = translate(without_server_paths(str(err)), words if words is not None else words_of_this_event())
    # The modal renders HTML; file names and captions in the message are the user's own text.
    return gr.Error(html.escape(message, quote=False), print_exception=False)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a StudioError raised inside into the one-sentence ``gr.Error`` the user sees."""
    try:
        yield
    except StudioError as err:
        raise as_gr_error(err) from None


def handler(fn: Callable) -> Callable:
    """Decorate an event handler so studio errors reach the user as one sentence, never a traceback."""

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with user_errors():
            return fn(*args, **kwargs)

    return wrapped


class Workspace:
    """Where each user's projects and every render live under the data folder."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.projects = settings.data_dir / "projects"
        self.renders = settings.data_dir / "renders"

    def browser_secret(self) -> str:
        """The key encrypting the user id in the browser; kept on disk so ids survive a restart."""
        path = self.settings.data_dir / ".browser-secret"
        if not path.exists():
            from studio.project.files import write_atomic

            write_atomic(path, secrets.token_urlsafe(24).encode())
        return path.read_text().strip()

    def user_dir(self, user: str) -> Path:
        if valid_id(user) is None:
            raise ProjectError(f"{user!r} is not a valid user id")
        return self.projects / user

    def project_root(self, user: str, project_id: str) -> Path:
        if valid_id(project_id) is None:
            raise ProjectError(f"{project_id!r} is not a valid project id")
        return self.user_dir(user) / project_id

    def project_file(self, user: str, project_id: str) -> Path:
        return self.project_root(user, project_id) / "project.json"

    def save(self, user: str, project: Project, source_root: Path | None = None) -> Project:
        """Autosave: the project as saved (media bundled beside it, paths relative to its folder)."""
        from studio.project.bundles import map_media
        from studio.project.files import save_project

        root = self.project_root(user, project.id)
        base = source_root or root
        # Paths saved before are relative to ``base``; files just uploaded are absolute: make all absolute.
        absolute = map_media(project, lambda p: p if Path(p).is_absolute() else str(base / p))
        return save_project(absolute, root / "project.json")

    def open(self, user: str, project_id: str) -> Project:
        from studio.project.files import load_project

        return load_project(self.project_file(user, project_id))[0]

    def project_ids(self, user: str) -> list[str]:
        """The user's projects, most recently saved first."""
        folder = self.user_dir(user)
        files = [p for p in folder.glob("*/project.json")] if folder.is_dir() else []
        return [p.parent.name for p in sorted(files, key=lambda p: p.stat().st_mtime_ns, reverse=True)]

    def latest(self, user: str) -> Project | None:
        """The last project the user worked on, or None; a damaged file is skipped, not fatal."""
        for project_id in self.project_ids(user):
            with contextlib.suppress(StudioError):
                return self.open(user, project_id)
        return None

    def new_render_folder(self) -> Path:
        folder = self.renders / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    @contextlib.contextmanager
    def render_output(self, name: str = "short.mp4") -> Iterator[Path]:
        """The output path in a fresh render folder (served for download); the folder goes if the job fails."""
        folder = self.new_render_folder()
        try:
            yield folder / name
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def clean_renders(self, now: float | None = None) -> int:
        """Remove render folders older than the configured age, and the scratch of jobs whose process died
        (a killed compose's job folder) with the render folders that leaves empty; returns how many went."""
        from studio.scratch import sweep_stale

        if not self.renders.is_dir():
            return 0
        limit = (now or time.time()) - self.settings.render_max_age_h * 3600
        removed = 0
        for folder in self.renders.iterdir():
            if not folder.is_dir():
                continue
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
            elif sweep_stale(folder) and not any(folder.iterdir()):
                folder.rmdir()
                removed += 1
        return removed


class RenderJobs:
    """Cancel flags of running jobs, one per browser or API session, and the per-user job limit
    (``STUDIO_MAX_JOBS_PER_USER``): a job over the limit is refused with one sentence, not queued."""

    def __init__(self, quota: JobQuota | None = None) -> None:
        self._flags: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.quota = quota

    @contextlib.contextmanager
    def running(self, request: gr.Request | None) -> Iterator[threading.Event]:
        session = (request.session_hash if request is not None else None) or uuid.uuid4().hex
        with self.quota.hold(session) if self.quota is not None else contextlib.nullcontext():
            with self._lock:
                flag = self._flags[session] = threading.Event()
            try:
                yield flag
            finally:
                with self._lock:
                    if self._flags.get(session) is flag:
                        del self._flags[session]

    def cancel(self, request: gr.Request) -> None:
        """Stop this session's running job at its next step or frame; a no-op when none is running."""
        with self._lock:
            flag = self._flags.get(request.session_hash or "")
        if flag is not None:
            flag.set()


class Eta:
    """Step progress with the time left, for ``gr.Progress`` descriptions."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def left(self, done: float, total: float, words: dict[str, str] = EN) -> str:
        if done <= 0 or total <= 0:
            return ""
        remaining = (time.monotonic() - self.started) * (total - done) / done
        return say(words, "progress.left", seconds=remaining)
