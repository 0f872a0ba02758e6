"""``Track.analysis`` as typed GraphQL objects, generated from the pydantic models of ``services/analysis/result.py``.

Deriving the types from the result models keeps the two in lockstep: a field added to the analysis appears here
(camelCased) without a second hand-written copy. ``unavailable`` maps stay JSON objects (figure key → reason in
words). Names follow the API contract: a type whose name would be too generic gets a suffix (``TimelineData``).
"""

from __future__ import annotations

from strawberry.experimental import pydantic as sp
from strawberry.scalars import JSON

from services.analysis import result as r


@sp.type(model=r.Timeline, all_fields=True, name="TimelineData")
class TimelineData:
    pass


@sp.type(model=r.TimeRange, all_fields=True)
class TimeRange:
    pass


@sp.type(model=r.BandValue, all_fields=True)
class BandValue:
    pass


@sp.type(model=r.FileInfo, all_fields=True, name="FileInfoAnalysis")
class FileInfo:
    pass


@sp.type(model=r.QualityControl, all_fields=True, name="QualityControlAnalysis")
class QualityControl:
    unavailable: JSON


@sp.type(model=r.Loudness, all_fields=True, name="LoudnessAnalysis")
class Loudness:
    unavailable: JSON


@sp.type(model=r.PlatformResult, all_fields=True)
class PlatformResult:
    pass


@sp.type(model=r.Dynamics, all_fields=True, name="DynamicsAnalysis")
class Dynamics:
    unavailable: JSON


@sp.type(model=r.EventSpan, all_fields=True)
class EventSpan:
    pass


@sp.type(model=r.ClipEvent, all_fields=True)
class ClipEvent:
    pass


@sp.type(model=r.OverEvent, all_fields=True)
class OverEvent:
    pass


@sp.type(model=r.Clipping, all_fields=True, name="ClippingAnalysis")
class Clipping:
    pass


@sp.type(model=r.ThirdOctaveBand, all_fields=True)
class ThirdOctaveBand:
    pass


@sp.type(model=r.Resonance, all_fields=True)
class Resonance:
    pass


@sp.type(model=r.Spectrum, all_fields=True, name="SpectrumAnalysis")
class Spectrum:
    unavailable: JSON


@sp.type(model=r.Stereo, all_fields=True, name="StereoAnalysis")
class Stereo:
    unavailable: JSON


@sp.type(model=r.LowPeak, all_fields=True)
class LowPeak:
    pass


@sp.type(model=r.Bass, all_fields=True, name="BassAnalysis")
class Bass:
    unavailable: JSON


@sp.type(model=r.Transients, all_fields=True, name="TransientsAnalysis")
class Transients:
    unavailable: JSON


@sp.type(model=r.Musical, all_fields=True, name="MusicalAnalysis")
class Musical:
    unavailable: JSON


@sp.type(model=r.Section, all_fields=True, name="SectionAnalysis")
class Section:
    pass


@sp.type(model=r.EncodedPeak, all_fields=True)
class EncodedPeak:
    pass


@sp.type(model=r.Edges, all_fields=True, name="EdgesAnalysis")
class Edges:
    pass


@sp.type(model=r.Analysis, all_fields=True, name="TrackAnalysis")
class TrackAnalysis:
    """The measurements of one track; units are in the field names (``Lufs``, ``Dbtp``, ``Hz``, ``S``, ``Pct``)."""


def typed_analysis(stored: dict[str, object] | None) -> TrackAnalysis | None:
    """Parse the stored JSON back into the result model, then into GraphQL objects."""
    if stored is None:
        return None
    return TrackAnalysis.from_pydantic(r.Analysis.model_validate(stored))
