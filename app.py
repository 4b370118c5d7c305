"""The studio in the browser: one idea to a postable vertical short, every step editable.

``build_demo`` composes the tabs (one builder per tab under ``ui/``), the shared per-user state and the
named API endpoints; ``launch`` sets the queues, the served folders, the cache clean-up and MCP; ``main``
is ``python app.py [--host H] [--port P] [--share] [--mcp]``. Handlers only translate between widgets and
the domain (``pipelines/``, ``studio/``), and ``ui.session`` is where studio errors become ``gr.Error``.
Heavy modules (torch, diffusers, the compositor) load on first use, so the page is up in seconds.
"""

from __future__ import annotations

import argparse
import dataclasses

import gradio as gr

from pipelines.services import Services
from studio.errors import StudioError
from studio.project.limits import JobQuota
from studio.project.model import Project
from studio.settings import Settings
from ui.api import build_api
from ui.batch import build_batch_tab
from ui.context import Studio
from ui.export import build_export_tab
from ui.finish import build_finish_tab
from ui.i18n import I18N, t
from ui.idea import build_idea_tab
from ui.keyframes import build_keyframes_api, build_keyframes_tab
from ui.machine import build_machine_tab, may_manage_models
from ui.projects import build_projects_tab
from ui.session import RenderJobs, Workspace
from ui.shots import build_shots_tab
from ui.storyboard import build_storyboard_tab

TABS = (("tab.idea", build_idea_tab), ("tab.storyboard", build_storyboard_tab),
        ("tab.keyframes", build_keyframes_tab), ("tab.shots", build_shots_tab),
        ("tab.finish", build_finish_tab), ("tab.export", build_export_tab), ("tab.projects", build_projects_tab),
        ("tab.batch", build_batch_tab), ("tab.machine", build_machine_tab))


def build_demo(settings: Settings, services: Services | None = None, *, share: bool = False) -> gr.Blocks:
    """The whole studio as one Blocks; per-user state lives in gr.State / gr.BrowserState, never in globals.
    ``services`` (built here when not given) hold the script writers and loaded models for every user; ``share``
    says the page will be public through a share link (the Models panel then only looks)."""
    workspace = Workspace(settings)
    age_s = settings.render_max_age_h * 3600
    with gr.Blocks(title="Short studio", delete_cache=(min(age_s, 3600), age_s)) as demo:
        gr.Markdown(t("app.title"))
        studio = Studio(services or Services(settings), workspace, RenderJobs(JobQuota.from_settings(settings)),
                        project=gr.State(None),
                        user=gr.BrowserState(None, storage_key="shortstudio-user", secret=workspace.browser_secret()),
                        selected=gr.State(None), manage_models=may_manage_models(settings, share=share))
        with gr.Tabs() as studio.tabs:
            for key, build in TABS:
                with gr.Tab(t(key), id=key.split(".")[1]):
                    build(studio)
        build_api(studio)
        build_keyframes_api(studio)

        def restore(user: str | None) -> tuple[str, Project, str | None]:
            """On every page load: the browser's user id (a new one on first visit) and their last project."""
            user = studio.user_id(user)
            project = workspace.latest(user) or Project()
            return user, project, project.shots[0].id if project.shots else None

        studio.changed(demo.load(restore, [studio.user], [studio.user, studio.project, studio.selected],
                                 api_name=False, queue=False))
        def clean_up() -> None:
            workspace.clean_renders()

        demo.load(clean_up, api_name=False, queue=False)
        studio.wire_refresh()
        studio.wire_loads(demo)
    return demo


def launch(demo: gr.Blocks, settings: Settings, *, host: str, port: int, share: bool = False, mcp: bool = False,
           prevent_thread_lock: bool = False) -> None:
    """Serve the renders and projects folders only, uploads capped at the media limit, MCP tools on request."""
    workspace = Workspace(settings)
    for folder in (workspace.renders, workspace.projects):
        folder.mkdir(parents=True, exist_ok=True)
    workspace.clean_renders()  # old renders, and what jobs killed with the last server left behind
    demo.queue(max_size=40).launch(
        server_name=host, server_port=port, share=share, prevent_thread_lock=prevent_thread_lock,
        allowed_paths=[str(workspace.renders.resolve()), str(workspace.projects.resolve())],
        max_file_size=f"{settings.max_media_mb}mb", i18n=I18N, mcp_server=mcp,
    )


def main(argv: list[str] | None = None) -> None:
    try:
        settings = Settings.from_env()
    except StudioError as err:
        raise SystemExit(f"error: {err}") from None
    parser = argparse.ArgumentParser(description="Short vertical video studio: the browser UI.")
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (default {settings.port})")
    parser.add_argument("--share", action="store_true", help="also open a public Gradio share link")
    parser.add_argument("--mcp", action="store_true", help="also serve the API endpoints as MCP tools")
    args = parser.parse_args(argv)
    settings = dataclasses.replace(settings, host=args.host, port=args.port)  # what the page is served on
    launch(build_demo(settings, share=args.share), settings, host=args.host, port=args.port, share=args.share,
           mcp=args.mcp)


if __name__ == "__main__":
    main()
