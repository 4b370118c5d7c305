"""Timeline arithmetic: transitions overlap or dip as documented; captions hand over mid-transition."""

from __future__ import annotations

import pytest

from studio.errors import ProjectValidationError
from studio.project.model import Project, Shot, Transition
from studio.project.timeline import build_timeline


def _project(*shots: Shot) -> Project:
    return Project().with_shots(shots)


def test_cuts_add_up():
    tl = build_timeline(_project(Shot(duration_ms=1000, caption="a"), Shot(duration_ms=2000, caption="b")))
    assert [(s.start_ms, s.end_ms) for s in tl.spans] == [(0, 1000), (1000, 3000)]
    assert tl.duration_ms == 3000
    assert [(c.start_ms, c.end_ms) for c in tl.captions] == [(0, 1000), (1000, 3000)]


def test_crossfade_overlaps_and_captions_switch_at_its_middle():
    tl = build_timeline(_project(Shot(duration_ms=2000, caption="a"),
                                 Shot(duration_ms=2000, caption="b", transition=Transition.CROSSFADE,
                                      transition_ms=600)))
    assert tl.duration_ms == 3400
    assert (tl.spans[1].start_ms, tl.spans[1].fade_in_ms) == (1400, 600)
    assert [(c.start_ms, c.end_ms) for c in tl.captions] == [(0, 1700), (1700, 3400)]
    assert len(tl.active(1500)) == 2


def test_fade_through_black_keeps_length_and_splits_the_dip():
    tl = build_timeline(_project(Shot(duration_ms=2000), Shot(duration_ms=2000, transition=Transition.FADE,
                                                              transition_ms=500)))
    assert tl.duration_ms == 4000
    assert tl.spans[0].fade_out_ms + tl.spans[1].fade_in_ms == 500
    assert tl.spans[1].start_ms == 2000


def test_transition_never_eats_more_than_half_a_shot():
    tl = build_timeline(_project(Shot(duration_ms=600), Shot(duration_ms=3000, transition=Transition.CROSSFADE,
                                                             transition_ms=3000)))
    assert tl.spans[1].fade_in_ms == 300


def test_first_shot_transition_is_ignored():
    tl = build_timeline(_project(Shot(duration_ms=1000, transition=Transition.CROSSFADE)))
    assert tl.spans[0].start_ms == 0 and tl.duration_ms == 1000


def test_shots_without_captions_leave_no_cue():
    tl = build_timeline(_project(Shot(duration_ms=1000), Shot(duration_ms=1000, caption="b")))
    assert [c.index for c in tl.captions] == [1]


def test_empty_project_is_refused():
    with pytest.raises(ProjectValidationError, match="no shots"):
        build_timeline(Project())


def test_a_cut_lands_on_the_first_frame_at_or_after_it_as_the_compositor_renders():
    from studio.project.timeline import first_frame, frame_count, frame_time_ms

    for fps in (24, 25, 30, 60):
        for t_ms in (0, 1, 33, 333, 334, 1000, 1499, 1500, 29_999, 87_654):
            n = first_frame(t_ms, fps)
            assert frame_time_ms(n, fps) >= t_ms and (n == 0 or frame_time_ms(n - 1, fps) < t_ms), (fps, t_ms)
    assert first_frame(1000, 30) == 30 and first_frame(1001, 30) == 31 and first_frame(100, 30) == 3
    assert frame_count(30_000, 30) == 900 and frame_count(10, 30) == 1
