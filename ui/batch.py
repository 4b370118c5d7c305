"""The Batch tab: a list of ideas (one a line, or CSV with an ``idea`` header) to one draft clip each, through
``pipelines.batch.run_batch_text``; on the GPU queue, cancellable between and inside items."""

from __future__ import annotations

import gradio as gr

import actions
from pipelines.batch import BatchDefaults, BatchProgress
from pipelines.script.contract import ScriptRequest
from pipelines.video.contract import VideoOptions
from studio.project.presets import PresetName
from ui.context import Studio
from ui.i18n import choices, t, words_for
from ui.sentences import translate
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
    def run_batch(text: str, seconds: float = 15, preset: str = "draft", request: gr.Request = None,
                  progress=gr.Progress()):  # noqa: B008
        """Many ideas at once, one draft clip each, with a summary.

        Args:
            text: ideas, one a line, or CSV with an idea column (and optional seconds, lang, preset, style,
                music (bundled track ids), beat_sync, seed, caption_style)
            seconds: length of each clip, 15 to 90, unless its row says otherwise
            preset: platform preset of each project, unless its row says otherwise
        Returns:
            a table of the results and the files (the clips and summary.json)
        """
        defaults = BatchDefaults(request=ScriptRequest.from_values("", seconds, preset))
        words = words_for(request)
        report = BatchProgress(started=lambda item, total: progress((item.index - 1, total),
                                                                    unit=words["progress.unit.ideas"],
                                                                    desc=item.idea[:40]))
        with studio.jobs.running(request) as flag:
            result = actions.batch(studio.services, text or "", workspace.new_render_folder(), defaults=defaults,
                                   video=VideoOptions.from_values(settings=settings, visitor=True), progress=report,
                                   cancel=flag.is_set)
        rows = [[r.item.index, r.item.idea, words[f"status.batch.{r.status.value}"],
                 r.video.name if r.video else translate(r.error or "", words)] for r in result.items]
        videos = [str(r.video) for r in result.items if r.video is not None]
        return rows, [*videos, str(result.summary_file)]

    run.click(run_batch, [ideas, seconds, preset], [table, files], api_name="batch", **studio.gpu)

    def headers(request: gr.Request):
        """The results table's headers in the browser's language, set when the page loads."""
        words = words_for(request)
        return {"headers": ["#", *(words[f"batch.col.{c}"] for c in ("idea", "status", "result"))], "data": []}

    studio.load(headers, [], [table])
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
