"""The faces: ``make --keyframes on --image-model DIR`` draws a keyframe per shot and the CPU draft shows those
pictures; ``--keyframes on`` with no keyframe model, and ``render --takes`` above the limit, refuse before
anything is written."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image  # noqa: E402

from cli.main import main  # noqa: E402
from pipelines.keyframes import pixel_digest  # noqa: E402
from studio.project.files import load_project  # noqa: E402
from studio.project.model import ShotSource  # noqa: E402
from tests.helpers.tiny_image import save_tiny_image_models  # noqa: E402

DRAFT = ("--preset", "draft", "--seconds", "15", "--backend", "template", "--video-backend", "still", "--voice",
         "none", "--seed", "5")
pytestmark = pytest.mark.usefixtures("offline_env")


def test_make_with_keyframes_draws_one_per_shot_and_the_draft_shows_them(capsys, tmp_path):
    sd = save_tiny_image_models(tmp_path / "models", names=("sd",))["sd"]
    out = tmp_path / "short.mp4"
    code = main(["make", "A red robot walks through the night city", *DRAFT, "--keyframes", "on",
                 "--image-model", str(sd), "-o", str(out)])
    _, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert "keyframes:" in stderr and out.is_file()
    project, root = load_project(out.with_name(f"{out.stem}.project.json"))
    for shot in project.shots:
        assert shot.source is ShotSource.IMAGE
        assert shot.source_media.startswith(f"{out.stem}.project.media/keyframes/")
        keyframe = Image.open(root / shot.source_media).convert("RGB")
        assert keyframe.size == (504, 896)  # the preset's 9:16 at SD-Turbo's scale
        assert pixel_digest(Image.open(root / shot.media).convert("RGB")) == pixel_digest(keyframe)


def test_make_with_keyframes_on_and_no_keyframe_model_writes_nothing(capsys, tmp_path):
    out = tmp_path / "short.mp4"
    code = main(["make", "A red robot walks through the night city", *DRAFT, "--keyframes", "on", "-o", str(out)])
    _, stderr = capsys.readouterr()
    assert code != 0 and "there is no keyframe model on this machine" in stderr
    assert "Traceback" not in stderr and list(tmp_path.iterdir()) == []


def test_render_refuses_more_takes_than_the_limit_before_rendering(capsys, tmp_path):
    out = tmp_path / "short.mp4"
    assert main(["make", "A cat surfs", *DRAFT, "--keyframes", "off", "-o", str(out)]) == 0
    project_file = out.with_name(f"{out.stem}.project.json")
    before = project_file.read_bytes()
    capsys.readouterr()
    code = main(["render", str(project_file), "--video-backend", "still", "--takes", "20", "-o",
                 str(tmp_path / "again.mp4")])
    _, stderr = capsys.readouterr()
    assert code != 0 and "ask for 1 to 8 takes of a shot, not 20" in stderr
    assert project_file.read_bytes() == before and not (tmp_path / "again.mp4").exists()
