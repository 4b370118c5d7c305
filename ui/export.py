"""The Export tab: a fast draft render (540x960) or the final one at the platform preset, the downloads (MP4,
SRT, VTT, cover, the project bundle zip), the posting text, and "Open in your editor": the project as a folder for
Shotcut, Resolve, Premiere, Final Cut or Jianying, downloaded as a zip. Compositing runs on its own CPU queue."""

from __future__ import annotations

import time

import gradio as gr

import actions
from studio.export.formats import EditFormat
from ui import reporting
from ui.context import Studio
from ui.i18n import choices, say, t, words_for
from ui.session import handler


def build_export_tab(studio: Studio) -> None:
    workspace = studio.workspace
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            with gr.Row():
                draft = gr.Button(t("export.draft"), variant="primary", elem_id="export_draft")
                final = gr.Button(t("export.final"), elem_id="export_final")
                stop = gr.Button(t("common.stop"), variant="stop", elem_id="stop_export")
            status = gr.Textbox(label=t("common.status"), interactive=False, lines=3, elem_id="export_status")
            files = gr.File(label=t("common.downloads"), file_count="multiple", interactive=False,
                            elem_id="export_files")
            posting = gr.Textbox(label=t("export.posting"), lines=5, interactive=False, buttons=["copy"],
                                 elem_id="posting")
            with gr.Row(equal_height=True):
                editor = gr.Dropdown(choices("editor", [f.value for f in EditFormat]), value=EditFormat.MLT.value,
                                     label=t("export.editor_format"), elem_id="editor_format", scale=2)
                to_editor = gr.Button(t("export.editor"), elem_id="export_editor", scale=1)
            editor_file = gr.File(label=t("export.editor_file"), interactive=False, elem_id="editor_file")
        with gr.Column(scale=2):
            video = gr.Video(label=t("export.video"), interactive=False, height=560, elem_id="export_video")

    def bind(draft_render: bool):
        @handler
        def export(project, user, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
            project = studio.current(project)
            root = studio.root(user, project)
            started, words = time.monotonic(), words_for(request)
            progress(0, desc=say(words, "progress.checking"))
            with studio.jobs.running(request) as flag, workspace.render_output() as output:
                result = actions.compose_project(studio.services, project, root, output, draft=draft_render,
                                                 progress=reporting.frames_progress(progress, words),
                                                 cancel=flag.is_set)
            bundle = actions.export_bundle(project, root, output.parent / actions.bundle_name(project))
            return (str(result.video), [*reporting.result_files(result), str(bundle)],
                    reporting.compose_status(result, time.monotonic() - started, words))

        return export

    @handler
    def hand_off(project, user, fmt, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        project = studio.current(project)
        name, words = actions.edit_name(project, fmt), words_for(request)
        progress(0, desc=say(words, "progress.checking"))
        with studio.jobs.running(request) as flag, workspace.render_output(f"{name}.zip") as output:
            result = actions.export_edit(studio.services, project, studio.root(user, project), output.with_suffix(""),
                                         fmt, zip_to=output, progress=reporting.media_progress(progress, words),
                                         cancel=flag.is_set)
        return str(result.archive), reporting.edit_status(result, words)

    to_editor.click(hand_off, [studio.project, studio.user, editor], [editor_file, status], api_name=False,
                    **studio.cpu)
    for button, is_draft in ((draft, True), (final, False)):
        button.click(bind(is_draft), [studio.project, studio.user], [video, files, status], api_name=False,
                     **studio.cpu)
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
    studio.view([posting], lambda project, _selected, _root, _words: [actions.posting_text(project)])
