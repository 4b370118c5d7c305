"""A person's reference must show a face (issue 13): OpenCV's Haar cascades find the face in a real public-domain
photograph and none in real photographs without people; an uploaded picture of a person with no face is refused in
one sentence and nothing is stored; a drawn one is kept with a note; other kinds are never checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)

from PIL import Image  # noqa: E402

from pipelines.faces import FaceFinder  # noqa: E402
from pipelines.image.contract import ImageOptions  # noqa: E402
from pipelines.keyframes import make_character_sheet, set_reference  # noqa: E402
from pipelines.services import Services  # noqa: E402
from studio.errors import ReferenceImageError  # noqa: E402
from studio.project.model import Bible, BibleEntry, EntryKind, Project, Shot, Storyboard  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import save_tiny_image_models  # noqa: E402


@pytest.fixture(scope="module")
def portrait() -> Image.Image:
    """A real public-domain portrait: Grace Hopper, a US Navy photograph (tests/assets/README.md says where from)."""
    return Image.open(Path(__file__).parent / "assets" / "grace_hopper.jpg").convert("RGB")


@pytest.fixture(scope="module")
def no_people() -> list[Image.Image]:
    """Real photographs with no person in them: scikit-learn's sample images (a temple, a flower)."""
    from sklearn.datasets import load_sample_image

    return [Image.fromarray(load_sample_image(name)) for name in ("china.jpg", "flower.jpg")]


def test_the_detector_finds_the_face_in_a_real_portrait_and_none_in_photographs_without_people(portrait, no_people):
    finder = FaceFinder()
    faces = finder.find(portrait)
    assert faces, "a frontal portrait must show a face"
    face = faces[0]
    assert face.x >= 0 and face.x + face.width <= portrait.width and face.y + face.height <= portrait.height
    assert face.width >= portrait.width // 8  # the portrait's face, not a speck of texture
    assert finder.has_face(portrait.resize((portrait.width * 3, portrait.height * 3)))  # large pictures too
    for photo in no_people:
        assert finder.find(photo) == []
    assert not finder.has_face(Image.new("RGB", (400, 600), (128, 128, 128)))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})


def _project(kind: EntryKind | None) -> Project:
    bible = Bible(characters=(BibleEntry(name="Mia", description="a girl in a red coat", kind=kind),))
    return Project(storyboard=Storyboard(bible=bible, shots=(Shot(id="s1", visual_prompt="Mia walks"),)))


def test_an_uploaded_picture_of_a_person_without_a_face_is_refused_and_nothing_is_stored(tmp_path, settings,
                                                                                          no_people):
    root = tmp_path / "project"
    root.mkdir()
    no_people[0].save(tmp_path / "temple.png")
    project = _project(EntryKind.PERSON)
    with pytest.raises(ReferenceImageError) as caught:
        set_reference(project, root, "Mia", tmp_path / "temple.png", settings)
    assert str(caught.value) == "no face found in temple.png: choose a picture that shows their face clearly"
    assert str(tmp_path) not in str(caught.value)
    assert list(root.iterdir()) == []  # nothing half-written


def test_a_person_with_a_face_is_accepted_and_other_kinds_are_not_checked(tmp_path, settings, portrait, no_people):
    root = tmp_path / "project"
    root.mkdir()
    portrait.save(tmp_path / "hopper.jpg")
    no_people[1].save(tmp_path / "flower.png")
    person = set_reference(_project(EntryKind.PERSON), root, "Mia", tmp_path / "hopper.jpg", settings)
    assert (root / person.storyboard.bible.characters[0].reference_image).is_file()
    for kind in (None, EntryKind.OBJECT, EntryKind.PLACE, EntryKind.CREATURE):
        other = set_reference(_project(kind), root, "Mia", tmp_path / "flower.png", settings)
        assert other.storyboard.bible.characters[0].reference_image.startswith("characters/")


@pytest.mark.parametrize(("kind", "noted"), [(EntryKind.PERSON, True), (None, False)])
def test_a_drawn_person_without_a_face_is_kept_with_a_note(tmp_path, settings, kind, noted):
    sd = save_tiny_image_models(tmp_path / "img", names=("sd",))["sd"]
    root = tmp_path / "project"
    root.mkdir()
    services = Services(settings)
    drawn = make_character_sheet(_project(kind), root, ImageOptions(model=str(sd), width=64, height=112, steps=1),
                                 services)
    assert drawn.made == ("Mia",)
    assert (root / drawn.project.storyboard.bible.characters[0].reference_image).is_file()  # kept: not refused
    note = ("no face found in the drawn picture of Mia: redraw it with another seed, or upload a picture that shows "
            "their face")
    assert (note in drawn.notes) is noted
