"""The Idea tab's view of the project: the platform follows a project with shots, and an empty project (a first
visit, whose page-load refresh can answer after the user clicked an example) leaves the platform the user chose."""

from __future__ import annotations

import gradio as gr

from pipelines.services import Services
from studio.project.limits import JobQuota
from studio.project.model import Project, Shot
from studio.project.presets import PresetName
from studio.settings import Settings
from ui.context import Studio
from ui.i18n import EN, t
from ui.session import RenderJobs, Workspace


def test_the_platform_follows_a_project_with_shots_and_an_empty_project_leaves_it(tmp_path):
    from ui.idea import build_idea_tab

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    with gr.Blocks() as demo:
        studio = Studio(Services(settings), Workspace(settings), RenderJobs(JobQuota.from_settings(settings)),
                        project=gr.State(None), user=gr.BrowserState(None), selected=gr.State(None))
        with gr.Tabs(), gr.Tab(t("tab.idea")):
            build_idea_tab(studio)
    preset = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "idea_preset")
    view = next(v for v in studio.views if preset in v.outputs)
    slot = view.outputs.index(preset)

    made = Project(preset=PresetName.BILIBILI).with_shots([Shot(id="a", caption="one")])
    assert view.render(made, "a", tmp_path, EN)[slot] == PresetName.BILIBILI.value
    skipped = view.render(Project(preset=PresetName.BILIBILI), None, tmp_path, EN)[slot]
    assert isinstance(skipped, dict) and skipped == gr.skip(), "an empty project must not reset the platform"
