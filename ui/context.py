"""What every tab builder gets: settings, the workspace, the shared state components, the queues, and a way
to say "this event changed the project" so every tab's view is refreshed from the Project afterwards.

Tabs never touch each other's widgets: each registers a ``View`` (its outputs and a function from the
project to their values); ``Studio.wire_refresh`` chains one refresh after every project-changing event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from pipelines.services import Services
from studio.project.model import Project
from studio.settings import Settings
from ui.i18n import words_for
from ui.session import RenderJobs, Workspace, new_user_id, valid_id


@dataclass(frozen=True)
class View:
    outputs: list[gr.components.Component]
    # (project, selected shot id, project folder, the words of the browser's language) -> the outputs' values
    render: Callable[[Project, str | None, Path, dict[str, str]], list[Any]]


@dataclass
class Studio:
    services: Services  # held once for the whole app: script writers and loaded models
    workspace: Workspace
    jobs: RenderJobs
    project: gr.State
    user: gr.BrowserState
    selected: gr.State  # the id of the shot being edited, shared by the storyboard and shots tabs
    views: list[View] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)
    on_load: list[tuple[Callable[..., Any], list, list]] = field(default_factory=list)  # (fn, inputs, outputs)
    tabs: gr.Tabs | None = None  # the studio's tabs, for a button that opens another tab
    manage_models: bool = False  # the page may download and remove models (ui.machine.may_manage_models)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def gpu(self) -> dict[str, Any]:
        """GPU work: one queue shared by every model-running event, its size from STUDIO_GPU_CONCURRENCY."""
        return {"concurrency_id": "gpu", "concurrency_limit": self.settings.gpu_concurrency}

    @property
    def cpu(self) -> dict[str, Any]:
        """Compositing: its own queue, so an export never waits behind a generation and vice versa."""
        return {"concurrency_id": "cpu", "concurrency_limit": self.settings.compose_concurrency}

    def view(self, outputs: list[gr.components.Component], render: Callable[..., list[Any]]) -> View:
        view = View(outputs, render)
        self.views.append(view)
        return view

    def changed(self, dependency: Any, *, keep: list[gr.components.Component] = ()) -> Any:
        """Refresh every view after ``dependency``, except the widgets in ``keep``: the ones the user is editing
        in that event (re-setting them would overwrite what was typed since the event started)."""
        self.changes.append((dependency, frozenset(id(c) for c in keep)))
        return dependency

    def user_id(self, user: str | None) -> str:
        return valid_id(user) or new_user_id()

    def current(self, project: Project | None) -> Project:
        return project if isinstance(project, Project) else Project()

    def root(self, user: str | None, project: Project) -> Path:
        return self.workspace.project_root(self.user_id(user), project.id)

    def save(self, user: str | None, project: Project, source_root: Path | None = None) -> Project:
        return self.workspace.save(self.user_id(user), project, source_root)

    def refresh(self, project: Project | None, selected: str | None, user: str | None,
                request: gr.Request = None, keep: frozenset[int] = frozenset()) -> list[Any]:
        project = self.current(project)
        words = words_for(request)
        ids = [s.id for s in project.shots]
        selected = selected if selected in ids else (ids[0] if ids else None)
        root = self.root(user, project)
        values: list[Any] = []
        for view in self.views:
            values += view.render(project, selected, root, words)
        outputs = self.refresh_outputs()
        return [gr.skip() if id(c) in keep else value for c, value in zip(outputs, values, strict=True)]

    def refresh_outputs(self) -> list[gr.components.Component]:
        return [c for view in self.views for c in view.outputs]

    def load(self, fn: Callable[..., Any], inputs: list, outputs: list) -> None:
        """Run ``fn`` when a page loads too (a tab's widget whose text depends on the browser's language)."""
        self.on_load.append((fn, inputs, outputs))

    def wire_refresh(self) -> None:
        outputs = self.refresh_outputs()
        for dependency, keep in self.changes:
            def refresh(project, selected, user, request: gr.Request, keep=keep):
                return self.refresh(project, selected, user, request, keep)

            dependency.success(refresh, [self.project, self.selected, self.user], outputs, api_name=False,
                               queue=False, show_progress="hidden")

    def wire_loads(self, demo: gr.Blocks) -> None:
        for fn, inputs, outputs in self.on_load:
            demo.load(fn, inputs, outputs, api_name=False, queue=False, show_progress="hidden")


def shot_choices(project: Project) -> list[tuple[str, str]]:
    """Dropdown choices naming each shot by number and the start of its caption (or prompt)."""
    choices = []
    for i, shot in enumerate(project.shots, start=1):
        text = (shot.caption or shot.visual_prompt or "").replace("\n", " ")
        choices.append((f"{i}. {text[:36]}{'…' if len(text) > 36 else ''}", shot.id))
    return choices
