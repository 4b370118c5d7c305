"""The UI's pure pieces: storyboard edits on the frozen Project, the Finish tab's choices, posting text,
per-user autosave and restore, render clean-up, and the two UI languages having the same words."""

from __future__ import annotations

import os
import time

import pytest

import actions
from studio.errors import ProjectError, ProjectValidationError
from studio.project.model import CameraMove, Project, Shot, ShotSource, ShotStatus, Storyboard
from studio.settings import Settings
from tests.helpers.media import make_image
from ui.finish import finish_project
from ui.session import Workspace
from ui.storyboard import add_shot, delete_shot, duplicate_shot, move_shot, parse_bible, update_shot


def _project() -> Project:
    return Project().with_shots([Shot(id="a", caption="one", source=ShotSource.TEXT, status=ShotStatus.RENDERED),
                                 Shot(id="b", caption="two"), Shot(id="c", caption="three")])


def test_add_duplicate_delete_and_move_keep_ids_unique_and_order_right():
    project, new_id = add_shot(_project(), "a")
    assert [s.id for s in project.shots][:2] == ["a", new_id] and len(project.shots) == 4
    project, copy_id = duplicate_shot(project, "b")
    assert project.shots[3].id == copy_id and project.shots[3].caption == "two" and copy_id != "b"
    project = move_shot(project, "c", -1)
    assert [s.caption for s in project.shots][-2:] == ["three", "two"]
    assert move_shot(project, project.shots[0].id, -1) == project, "the first shot cannot move up"
    project, selected = delete_shot(project, "c")
    assert "c" not in {s.id for s in project.shots} and selected in {s.id for s in project.shots}


def test_editing_the_caption_keeps_the_render_but_a_new_prompt_replans_the_shot():
    project = update_shot(_project(), "a", caption="新字幕 ✨")
    assert project.shots[0].caption == "新字幕 ✨" and project.shots[0].status is ShotStatus.RENDERED
    project = update_shot(project, "a", visual_prompt="a fox", camera_move=CameraMove.PAN_LEFT)
    assert project.shots[0].status is ShotStatus.PLANNED


def test_bad_edits_name_the_shot_and_field():
    with pytest.raises(ProjectValidationError, match="shot 2 duration ms"):
        update_shot(_project(), "b", duration_ms=10)
    with pytest.raises(ProjectValidationError, match="choose a shot"):
        update_shot(_project(), "zzz", caption="x")


def test_bible_lines_become_entries():
    bible = parse_bible(" warm film look ", "Mimi: a ginger cat\n\nCup")
    assert bible.look == "warm film look" and [(c.name, c.description) for c in bible.characters] == [
        ("Mimi", "a ginger cat"), ("Cup", "")]


def test_finish_choices_set_style_music_label_hook_and_cover():
    project = finish_project(_project(), style="box", music_library="lofi_chill", music_file=None, beat_sync=True,
                             visible_label=False, hook="看这里", cover_s=1.5)
    assert project.caption_style.preset == "box" and project.music.library == "lofi_chill"
    assert project.music.beat_sync and not project.label.visible and project.storyboard.hook == "看这里"
    assert project.cover_time_ms == 1500
    cleared = finish_project(project, style="box", music_library=None, music_file=None, beat_sync=False,
                             visible_label=True, hook="", cover_s=None)
    assert cleared.music is None and cleared.cover_time_ms is None and cleared.label.visible


def test_posting_text_has_title_description_and_hashtags():
    board = Storyboard(title="Cat café", description="A tiny shop.", hashtags=("cats", "#coffee"))
    assert actions.posting_text(Project(storyboard=board)) == "Cat café\n\nA tiny shop.\n\n#cats #coffee"


def test_reference_pictures_become_the_first_shots_sources(tmp_path):
    from pipelines.make import MakeOptions, build_project
    from pipelines.script.contract import ScriptRequest, ScriptResult
    from studio.backends import ScriptBackendName

    script = ScriptResult(_project().storyboard, ScriptBackendName.TEMPLATE)
    project = build_project(ScriptRequest(idea="x"), script, MakeOptions(references=("/x/a.png",)), seed=1)
    assert project.shots[0].source is ShotSource.IMAGE and project.shots[0].source_media == "/x/a.png"
    assert project.shots[1].source_media is None


def test_autosave_bundles_media_and_latest_restores_it(tmp_path):
    workspace = Workspace(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")}))
    image = make_image(tmp_path / "pic.png", (64, 64))
    first = workspace.save("u1", Project().with_shots([Shot(media=str(image), caption="hi")]))
    assert not first.shots[0].media.startswith("/"), "saved paths are relative to the project folder"
    time.sleep(0.01)
    second = workspace.save("u1", Project().with_shots([Shot(caption="newer")]))
    assert workspace.latest("u1") == second and workspace.project_ids("u1") == [second.id, first.id]
    assert workspace.latest("someone-else") is None
    with pytest.raises(ProjectError):
        workspace.user_dir("../escape")


def test_old_render_folders_are_cleaned_up(tmp_path):
    workspace = Workspace(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_RENDER_MAX_AGE_H": "1"}))
    old, new = workspace.new_render_folder(), workspace.new_render_folder()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert workspace.clean_renders() == 1 and not old.exists() and new.exists()


def test_both_ui_languages_have_every_key():
    from ui.i18n import EN, ZH

    assert set(EN) == set(ZH)
    assert all(ZH[k] and ZH[k] != EN[k] for k in EN if k.startswith("tab."))


def test_a_users_second_job_over_the_limit_is_refused_not_queued():
    from types import SimpleNamespace

    from studio.errors import LimitError
    from studio.project.limits import JobQuota
    from ui.session import RenderJobs

    jobs = RenderJobs(JobQuota(1))
    me, other = SimpleNamespace(session_hash="me"), SimpleNamespace(session_hash="other")
    with jobs.running(me):
        with pytest.raises(LimitError, match="STUDIO_MAX_JOBS_PER_USER"), jobs.running(me):
            pass
        with jobs.running(other):  # another user is not affected
            pass
    with jobs.running(me):  # the slot is free again once the job ends
        pass


def test_the_weights_licence_shown_where_a_model_is_chosen(tmp_path):
    from ui.i18n import EN, ZH
    from ui.shots import weights_terms

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_LTX_MODEL": "/srv/models/ltx-local"})
    assert weights_terms(settings, "still", "", EN) == "Still-image drafts use no model weights."
    wan = weights_terms(settings, "wan", "", EN)
    assert "Wan-AI/Wan2.2-TI2V-5B-Diffusers" in wan and "Apache-2.0" in wan and "commercial use allowed" in wan
    ltx = weights_terms(settings, "wan", "Lightricks/LTX-Video-0.9.7-distilled", ZH)
    assert "LTXV Open Weights License" in ltx and "商用有条件" in ltx
    unknown = weights_terms(settings, "ltx", "", EN)  # the operator's folder: named, never shown by its path
    assert "ltx-local" in unknown and "/srv" not in unknown and "model card" in unknown


def test_a_card_dropped_on_another_takes_its_place_through_the_one_move_action():
    from actions.storyboard import move_shot_onto

    def order(project):
        return [s.id for s in project.shots]

    assert order(move_shot_onto(_project(), "c", "a")) == ["c", "a", "b"], "card 3 onto card 1: it becomes first"
    assert order(move_shot_onto(_project(), "a", "c")) == ["b", "c", "a"], "card 1 onto card 3: it becomes last"
    assert order(move_shot_onto(_project(), "b", "b")) == ["a", "b", "c"]
    project = _project()
    assert move_shot_onto(project, "c", "a") == move_shot(project, "c", -2), "the buttons' action, by ids"
    with pytest.raises(ProjectValidationError, match="choose a shot"):
        move_shot_onto(_project(), "c", "gone")  # a drop on a strip drawn before the shot was deleted


def test_ending_on_the_next_picture_is_offered_for_image_shots_with_a_next_shot_and_replans_one():
    from ui.storyboard import can_end_on_next

    project = update_shot(_project(), "a", source=ShotSource.IMAGE)
    assert can_end_on_next(project, "a", "image") and not can_end_on_next(project, "a", "text")
    assert not can_end_on_next(project, "c", "image"), "the last shot has no next picture"
    assert not can_end_on_next(project, "gone", "image")
    rendered = project.with_shots([project.shots[0].model_copy(update={"status": ShotStatus.RENDERED}),
                                   *project.shots[1:]])
    ends = update_shot(rendered, "a", ends_on_next=True)
    assert ends.shots[0].ends_on_next and ends.shots[0].status is ShotStatus.PLANNED, "its clip is made anew"


def test_saving_the_bible_text_keeps_each_characters_kind_and_picture():
    from studio.project.model import Bible, BibleEntry, EntryKind

    before = Bible(characters=(BibleEntry(name="Mimi", description="a cat", kind=EntryKind.CREATURE,
                                          reference_image="characters/mimi.png"),
                               BibleEntry(name="Ana", description="a baker", kind=EntryKind.PERSON)))
    after = parse_bible("", "mimi: a ginger cat\nBob (af_heart): a boy", before)
    assert [(c.name, c.description, c.kind, c.reference_image, c.voice) for c in after.characters] == [
        ("mimi", "a ginger cat", EntryKind.CREATURE, "characters/mimi.png", None),
        ("Bob", "a boy", None, None, "af_heart")], "Ana is gone with her line; Bob is new and not said"
    assert parse_bible("", "Mimi: a cat").characters[0].kind is None, "old text alone loads as before"


def test_a_characters_kind_is_said_by_name_and_refused_for_an_unknown_one():
    from actions.storyboard import set_entry_kind
    from studio.project.model import Bible, BibleEntry, EntryKind

    board = Storyboard(bible=Bible(characters=(BibleEntry(name="Mimi", description="a cat"),
                                               BibleEntry(name="Ana", description="a baker"))))
    project = set_entry_kind(Project(storyboard=board), " ana ", "person")
    assert [c.kind for c in project.storyboard.bible.characters] == [None, EntryKind.PERSON]
    assert set_entry_kind(project, "Ana", None).storyboard.bible.characters[1].kind is None, "back to not said"
    with pytest.raises(ProjectValidationError, match="'Zed' is not in the storyboard's bible"):
        set_entry_kind(project, "Zed", "place")
    with pytest.raises(ProjectValidationError, match="unknown character kind 'robot'"):
        set_entry_kind(project, "Ana", "robot")
