"""Project files written before effects (schema_version 1) open in this studio and render what they rendered.

Version 2 added effects, more transitions and ``speed_audio`` (all with defaults) and refuses a transition longer
than a shot it joins, which version 1 quietly capped at half of each shot. The migration stores such a transition as
long as it may be, which renders the same: checked on the timeline (version 1's rule, worked out by hand here) and
on the frames."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from studio.compose.compositor import FrameRenderer, plan_render
from studio.errors import ProjectValidationError
from studio.project.files import load_project, migrate
from studio.project.model import SCHEMA_VERSION, Project
from studio.project.timeline import build_timeline
from studio.settings import Settings
from tests.helpers.media import make_image


def v1_file(folder: Path) -> Path:
    """A project as the version-1 studio wrote it: every field it had, none it did not."""
    make_image(folder / "a.png", (300, 520), (200, 60, 40), "gradient")
    make_image(folder / "b.png", (300, 520), (30, 90, 200), "checker")
    make_image(folder / "c.png", (300, 520), (240, 220, 40), "solid")
    shot = {"visual_prompt": "", "caption_words": [], "voiceover": "", "camera_move": "none", "fit": "cover",
            "focus_x": 0.5, "focus_y": 0.5, "clip_start_ms": 0, "clip_audio_gain_db": None, "seed": None,
            "status": "planned", "voiceover_audio": None, "voiceover_gain_db": 0.0, "source": None,
            "source_media": None, "render": None, "candidates": []}
    data = {
        "schema_version": 1, "id": "v1project", "language": "en", "preset": "draft",
        "storyboard": {"title": "Old", "hook": "", "bible": {"characters": [], "look": ""}, "description": "",
                       "hashtags": [], "shots": [
                           {**shot, "id": "s1", "media": "a.png", "caption": "one", "duration_ms": 1000,
                            "transition": "cut", "transition_ms": 500},
                           {**shot, "id": "s2", "media": "b.png", "caption": "two", "duration_ms": 600,
                            "transition": "crossfade", "transition_ms": 800},  # longer than this shot: v1 capped it
                           {**shot, "id": "s3", "media": "c.png", "caption": "three", "duration_ms": 1200,
                            "transition": "fade", "transition_ms": 2000}]},
        "caption_style": {"preset": "bold_stroke"}, "music": None, "voiceover": None,
        "label": {"visible": False, "position": "top_left", "visible_ms": 3000, "text": None},
        "hook_ms": 2500, "cover_time_ms": None, "negative_prompt": "",
    }
    path = folder / "old.project.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_version_1_file_opens_as_the_current_version(tmp_path):
    project, _ = load_project(v1_file(tmp_path))
    assert project.schema_version == SCHEMA_VERSION == 2
    assert [s.transition_ms for s in project.shots] == [500, 600, 600]  # stored as long as each may be
    assert all(s.effects == () and s.speed_audio.value == "follow" for s in project.shots)
    assert project.effects == ()


def test_it_renders_what_version_1_rendered(tmp_path):
    """Version 1's timeline for these shots, by its rule (a transition takes at most half of either shot): the
    crossfade is 300 ms (half of 600), the fade 300 ms (half of 600) split 150/150; and the frames are those of the
    same shots with those lengths written out."""
    project, root = load_project(v1_file(tmp_path))
    timeline = build_timeline(project)
    assert [(s.start_ms, s.end_ms, s.fade_in_ms, s.fade_out_ms) for s in timeline.spans] == [
        (0, 1000, 0, 0), (700, 1300, 300, 150), (1300, 2500, 150, 0)]
    assert [(c.start_ms, c.end_ms) for c in timeline.captions] == [(0, 850), (850, 1300), (1300, 2500)]
    written_out = project.with_shots([s.model_copy(update={"transition_ms": ms})
                                      for s, ms in zip(project.shots, (500, 300, 300), strict=True)])
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})
    times = [0, 650, 800, 1000, 1250, 1300, 1400, 2400]
    for a, b in zip(frames(project, root, settings, times), frames(written_out, root, settings, times), strict=True):
        assert np.array_equal(a, b)


def frames(project: Project, root: Path, settings: Settings, times: list[int]) -> list[np.ndarray]:
    renderer = FrameRenderer(plan_render(project, settings, root), settings)
    try:
        return [np.asarray(renderer.frame_at(t)) for t in times]
    finally:
        renderer.close()


def test_the_cli_renders_a_version_1_file(tmp_path, monkeypatch):
    from cli.main import main

    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    path = v1_file(tmp_path)
    assert main(["render", str(path), "--video-backend", "still", "-o", str(tmp_path / "out.mp4")]) == 0
    assert (tmp_path / "out.mp4").stat().st_size > 0
    assert json.loads((tmp_path / "out.project.json").read_text(encoding="utf-8"))["schema_version"] == 2


@pytest.mark.parametrize("storyboard", [None, "shots", {"shots": "none"}, {"shots": [1, "x", None]},
                                        {"shots": [{"transition": "crossfade", "duration_ms": "long"},
                                                   {"transition": "crossfade", "transition_ms": True}]}])
def test_the_migration_leaves_malformed_files_for_validation_to_name(storyboard):
    from studio.project.files import validate_project

    data = migrate({"schema_version": 1, "storyboard": storyboard})
    assert data["schema_version"] == 2
    with pytest.raises(ProjectValidationError):
        validate_project(data)


def test_a_version_2_transition_longer_than_its_shot_is_refused_not_capped(tmp_path):
    path = v1_file(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8")) | {"schema_version": 2}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectValidationError, match=r"shot 2: its 0.8 s crossfade transition is longer than shot 2 "
                                                     r"itself \(0.6 s\)"):
        load_project(path)
