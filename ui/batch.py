"""The Batch tab: a list of ideas (one a line, or CSV with an ``idea`` header) to one draft clip each, through
``pipelines.batch.run_batch_text``; on the GPU queue, cancellable between and inside items."""

from __future__ import annotations

import dataclasses

import gradio as gr

from studio.project.presets import PresetName
from ui import actions
from ui.context import Studio
from ui.i18n import choices, t
from ui.session import handler


def build_batch_tab(studio: Studio) -> None:
    settings, workspace = studio.settings, studio.workspace
    with gr.Row(equal_height=False):
        with gr.Column():
            ideas = gr.Textbox(label=t("batch.ideas"), lines=6, elem_id="batch_ideas", info=t("batch.info"))
            with gr.Row():
                seconds = gr.Slider(15, 90, value=15, step=1, label=t("idea.seconds"), elem_id="batch_seconds")
                preset = gr.Dropdown(choices("preset", [p.value for p in PresetName]), value=PresetName.DRAFT.value,
                                     label=t("idea.preset"), elem_id="batch_preset")
            with gr.Row():
                run = gr.Button(t("batch.run"), variant="primary", elem_id="run_batch")
                stop = gr.Button(t("common.stop"), variant="stop", elem_id="stop_batch")
        with gr.Column():
            table = gr.Dataframe(headers=["#", "idea", "status", "video / error"], interactive=False,
                                 elem_id="batch_table", label=t("batch.results"))
            files = gr.File(label=t("common.downloads"), file_count="multiple", interactive=False,
                            elem_id="batch_files")

    @handler
    def run_batch(text, seconds, preset, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        from pipelines.batch import BatchDefaults, BatchProgress, run_batch_text

        defaults = BatchDefaults(request=dataclasses.replace(actions.script_request("", seconds, preset, "", ""),
                                                             idea=""))
        report = BatchProgress(started=lambda item, total: progress((item.index - 1, total), unit="ideas",
                                                                    desc=item.idea[:40]))
        with studio.jobs.running(request) as flag:
            result = run_batch_text(text, workspace.new_render_folder(), settings, defaults=defaults,
                                    video_options=actions.video_options(settings), progress=report, cancel=flag.is_set)
        rows = [[r.item.index, r.item.idea, r.status.value, r.video.name if r.video else r.error or ""]
                for r in result.items]
        videos = [str(r.video) for r in result.items if r.video is not None]
        return rows, [*videos, str(result.summary_file)]

    run.click(run_batch, [ideas, seconds, preset], [table, files], api_name="batch", **studio.gpu)
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
