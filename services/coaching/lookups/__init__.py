"""Lookups: small, JSON-able answers to "what was measured here?" over a stored analysis. Pure, no I/O.

Each lookup returns a dict whose keys carry their units (``mean_lufs``, ``level_db``, ``start_s``) and whose numbers
are rounded the way answers show them (``services.diagnosis.rounded``), so an answer quoting a lookup, the grounding
check tracing it and a client showing it all agree. Used by the offline engine and, as tools, by a model.
May import ``services.analysis.result``, ``services.diagnosis`` and ``services.genres``; never the store or llm.
"""

from __future__ import annotations

from services.coaching.lookups.figures import (
    band_over_time,
    findings_overview,
    measurement,
    reference_comparison,
    section_figures,
    span_figures,
)
from services.coaching.lookups.questions import BANDS_BY_WORD, Moment, Question, understand

__all__ = [
    "BANDS_BY_WORD",
    "Moment",
    "Question",
    "band_over_time",
    "findings_overview",
    "measurement",
    "reference_comparison",
    "section_figures",
    "span_figures",
    "understand",
]
