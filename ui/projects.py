"""The Projects tab: every project of this browser's user (autosaved after each step), open one, start a new
one, download one as a bundle (zip) or open a bundle. Bundles are checked by ``studio.project.bundles``."""

from __future__ import annotations

import shutil
import uuid

import gradio as gr

import actions
from studio.project.model import Project
from ui.context import Studio
from ui.i18n import say, t
from ui.session import handler


def build_projects_tab(studio: Studio) -> None:
    workspace = studio.workspace
    with gr.Row(equal_height=False):
        with gr.Column():
            mine = gr.Dropdown([], label=t("projects.mine"), elem_id="my_projects", interactive=True)
            with gr.Row():
                open_button = gr.Button(t("projects.open"), elem_id="open_project")
                new = gr.Button(t("projects.new"), elem_id="new_project")
            saved = gr.Markdown(elem_id="autosave_note")
        with gr.Column():
            download = gr.Button(t("projects.download"), elem_id="download_bundle")
            bundle_out = gr.File(label=t("projects.bundle"), interactive=False, elem_id="bundle_file")
            bundle_in = gr.File(label=t("projects.upload"), file_types=[".zip"], elem_id="bundle_upload")
    state = [studio.project, studio.user, studio.selected]

    @handler
    def open_project(project, user, selected, project_id):
        if not project_id:
            return studio.current(project), selected
        opened = workspace.open(studio.user_id(user), project_id)
        return opened, opened.shots[0].id if opened.shots else None

    def new_project(user):
        return Project(), None

    @handler
    def make_bundle(project, user):
        project = studio.current(project)
        folder = workspace.new_render_folder()
        return str(actions.export_bundle(project, studio.root(user, project), folder / actions.bundle_name(project)))

    @handler
    def import_bundle(user, path):
        user = studio.user_id(user)
        staging = workspace.user_dir(user) / f".import-{uuid.uuid4().hex}"
        try:
            project, root = actions.open_bundle(studio.services, path, staging)
            fresh = project.model_copy(update={"id": uuid.uuid4().hex})  # never overwrite a project by its id
            saved = workspace.save(user, fresh, root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return saved, saved.shots[0].id if saved.shots else None

    studio.changed(open_button.click(open_project, state + [mine], [studio.project, studio.selected],
                                     api_name=False))
    studio.changed(new.click(new_project, [studio.user], [studio.project, studio.selected], api_name=False))
    download.click(make_bundle, [studio.project, studio.user], [bundle_out], api_name=False)
    studio.changed(bundle_in.upload(import_bundle, [studio.user, bundle_in], [studio.project, studio.selected],
                                    api_name=False))

    def render(project: Project, _selected, root, words):
        user = root.parent.name
        choices = []
        for project_id in workspace.project_ids(user):
            title = project.storyboard.title if project_id == project.id else ""
            choices.append((f"{title or project_id[:8]} ({project_id[:8]})", project_id))
        note = (say(words, "status.autosaved", id=root.name[:8], count=len(project.shots))
                if (root / "project.json").exists() else words["status.unsaved"])
        return [gr.update(choices=choices, value=project.id if (root / "project.json").exists() else None), note]

    studio.view([mine, saved], render)
