"""Word times estimated from the audio's own pauses, for speech that came without any (an OpenAI-compatible
server): labelled ``TimingSource.ESTIMATED`` wherever they go.

The speech is cut into voiced runs at pauses; words are dealt to the runs in order, in proportion to their
length (letters, or one per Hanzi), and inside a run spread by the same weights. When there are at least as many
runs as words, the runs are merged across the shortest pauses until there is one per word: on speech with a
pause between words this lands on the real boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.voice.audio import voiced_runs


def _weight(word: str) -> float:
    return float(max(1, sum(ch.isalnum() for ch in word)))


def estimate(x: np.ndarray, sample_rate: int, words: Sequence[str]) -> list[tuple[int, int]]:
    """``(start_ms, end_ms)`` for each of ``words`` in the float audio ``x``; in order, inside the audio."""
    if not words:
        return []
    total_ms = int(len(x) * 1000 / sample_rate)
    runs = voiced_runs(x, sample_rate) or [[0, total_ms]]
    weights = np.array([_weight(w) for w in words])
    if len(runs) >= len(words):
        runs = [list(r) for r in runs]
        while len(runs) > len(words):  # merge across the shortest pause
            gaps = [runs[i + 1][0] - runs[i][1] for i in range(len(runs) - 1)]
            i = int(np.argmin(gaps))
            runs[i][1] = runs[i + 1][1]
            del runs[i + 1]
        return [(int(a), int(b)) for a, b in runs]
    # fewer runs than words: deal words to runs by cumulative weight against cumulative voiced time
    lengths = np.array([b - a for a, b in runs], float)
    run_edges = np.concatenate([[0.0], np.cumsum(lengths)]) / lengths.sum()
    word_mid = (np.cumsum(weights) - weights / 2) / weights.sum()
    owner = np.clip(np.searchsorted(run_edges, word_mid, side="right") - 1, 0, len(runs) - 1)
    out: list[tuple[int, int]] = []
    for r, (a, b) in enumerate(runs):
        mine = np.flatnonzero(owner == r)
        if mine.size == 0:
            continue
        w = weights[mine]
        edges = a + (b - a) * np.concatenate([[0.0], np.cumsum(w)]) / w.sum()
        out += [(int(round(edges[k])), int(round(edges[k + 1]))) for k in range(len(mine))]
    return out
