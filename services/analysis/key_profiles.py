"""Published key profiles: how much each pitch class sounds in a key, tonic first, major then minor.

Why several: each was fitted to a different repertoire and errs in its own direction. Krumhansl-Kessler's
probe-tone ratings (the common recipe) rate the fifth and third so highly that fifth and relative-key
confusions dominate; Temperley's (1999) separate the tonic and leading tone better but lean to the major
reading of a minor song; Albrecht and Shanahan's (2013), counted from 490 pieces, give non-scale tones almost
nothing and are the most decisive about the third; EDMA (Faraldo et al., 2016) was fitted to electronic dance
music. ``key`` averages the correlations of Temperley's and Albrecht-Shanahan's, whose mode biases run opposite
ways (the choice was made on the labelled synthetic sets of ``bench.keytempo``; the others stay here so the
bench can show why).
"""

from __future__ import annotations

import numpy as np

from services.analysis.reduce import F64

Profile = tuple[F64, F64]  # (major, minor), 12 weights from the tonic up

KRUMHANSL: Profile = (
    np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
    np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
)
TEMPERLEY: Profile = (
    np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0]),
    np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0]),
)
ALBRECHT_SHANAHAN: Profile = (
    np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081]),
    np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]),
)
EDMA: Profile = (
    np.array([0.1652, 0.0475, 0.0829, 0.0669, 0.0999, 0.0927, 0.0529, 0.1316, 0.0522, 0.0744, 0.0694, 0.0643]),
    np.array([0.1724, 0.0534, 0.0761, 0.1004, 0.0562, 0.0853, 0.0498, 0.1345, 0.0746, 0.0500, 0.0919, 0.0555]),
)


def correlations(chroma: F64, profile: Profile) -> F64:
    """``(24,)`` Pearson correlation of a ``(12,)`` chroma (C..B) with every key: major C..B, then minor C..B.

    Vectorised as one ``(24, 12)`` template matrix; zero where the chroma is flat (no tonal centre at all).
    """
    templates = np.stack([np.roll(p, k) for p in profile for k in range(12)])
    templates = templates - templates.mean(axis=1, keepdims=True)
    x = chroma - chroma.mean()
    norm = np.linalg.norm(x) * np.linalg.norm(templates, axis=1)
    out: F64 = np.where(norm > 0, templates @ x / np.maximum(norm, 1e-300), 0.0)
    return out
