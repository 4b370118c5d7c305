"""The Keyframes tab and its API endpoints build on a Studio like the app's, and the model's licence shows where a
keyframe model is chosen (non-commercial weights said plainly)."""

from __future__ import annotations

import gradio as gr

from pipelines.services import Services
from studio.project.limits import JobQuota
from studio.settings import Settings
from ui.context import Studio
from ui.i18n import EN, ZH, t
from ui.keyframes import build_keyframes_api, build_keyframes_tab, image_terms
from ui.session import RenderJobs, Workspace


def _settings(tmp_path, **env) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), **env})


def test_the_tab_and_its_endpoints_build_on_the_apps_studio(tmp_path):
    settings = _settings(tmp_path)
    workspace = Workspace(settings)
    with gr.Blocks() as demo:
        studio = Studio(Services(settings), workspace, RenderJobs(JobQuota.from_settings(settings)),
                        project=gr.State(None), user=gr.BrowserState(None), selected=gr.State(None))
        with gr.Tabs(), gr.Tab(t("tab.keyframes")):
            build_keyframes_tab(studio)
        build_keyframes_api(studio)
    names = {d.api_name for d in demo.fns.values() if d.api_name}
    assert {"draw_keyframes", "character_sheet", "character_reference", "render_takes", "retake_flagged"} <= names
    assert len(studio.views) == 1 and studio.services._image is None  # nothing loaded to build the page


def test_the_licence_is_shown_where_a_keyframe_model_is_chosen(tmp_path):
    settings = _settings(tmp_path)
    turbo = image_terms(settings, "sd-turbo", "", EN)
    assert "Non-Commercial" in turbo and "non-commercial" in turbo and "opted in" in turbo
    assert "非商用" in image_terms(settings, "sd-turbo", "", ZH)
    assert "Apache-2.0" in image_terms(settings, "flux2", "", EN)
    assert "No keyframe model here" in image_terms(settings, "auto", "", EN)
    refused = image_terms(_settings(tmp_path, STUDIO_COMMERCIAL_USE="on"), "sd-turbo", "", EN)
    assert "Refused here" in refused
