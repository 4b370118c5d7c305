"""What a first visit can try: every example idea is a valid request (its length fits its platform), and the
sample project opens in either language with its own pictures, as a fresh copy each time."""

from __future__ import annotations

import pytest

from actions.examples import EXAMPLE_IDEAS, open_sample
from pipelines.script.contract import ScriptRequest
from pipelines.script.storyboard import check_request
from pipelines.services import Services
from studio.media import MediaKind, probe_shot_media
from studio.project.files import resolve_media
from studio.settings import Settings


@pytest.mark.parametrize("example", EXAMPLE_IDEAS, ids=[e[0][:16] for e in EXAMPLE_IDEAS])
def test_every_example_is_a_request_the_writer_takes(example):
    idea, seconds, preset, style, language = example
    checked = check_request(ScriptRequest.from_values(idea, seconds, preset, style, language))
    assert checked.caption_language().value == language


def test_both_languages_have_examples():
    assert {e[4] for e in EXAMPLE_IDEAS} == {"zh", "en"}


@pytest.mark.parametrize(("language", "first"), [("zh", "天还没亮，海先醒了"),
                                               ("en", "Before dawn, the sea wakes first")])
def test_the_sample_project_opens_with_its_own_pictures_as_a_fresh_copy(tmp_path, language, first):
    services = Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)}))
    project, root = open_sample(services, language)
    again, _ = open_sample(services, language)
    assert project.id != again.id, "a fresh copy each time"
    assert project.shots[0].caption == first and project.resolved_language().value == language
    assert project.music is not None and project.music.library and project.storyboard.hook
    for shot in project.shots:
        info = probe_shot_media(resolve_media(shot.media, root), services.settings, shot.id)
        assert info.kind is MediaKind.IMAGE and (info.width, info.height) == (1080, 1920)
