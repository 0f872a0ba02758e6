"""The grounding record stored with a message: every field by name, read back the same, older records tolerated."""

from __future__ import annotations

from services.coaching.grounding import GroundedNumber, Grounding


def test_grounding_to_dict_names_every_field_and_round_trips() -> None:
    traced = [GroundedNumber(text="-9.0 LUFS", value=-9.0, unit="LUFS", source="loudness.integrated_lufs")]
    untraced = [GroundedNumber(text="3.0 dB", value=3.0, unit="dB", source=None)]
    grounding = Grounding(traced=traced, untraced=untraced, contradictions=["boost for too much low mids"])
    raw = grounding.to_dict()
    assert raw == {
        "traced": [{"text": "-9.0 LUFS", "value": -9.0, "unit": "LUFS", "source": "loudness.integrated_lufs"}],
        "untraced": [{"text": "3.0 dB", "value": 3.0, "unit": "dB", "source": None}],
        "contradictions": ["boost for too much low mids"],
        "fully_grounded": False,
    }
    assert Grounding.from_dict(raw) == grounding
    assert Grounding(traced=traced, untraced=[]).to_dict()["fully_grounded"] is True


def test_a_record_without_lists_reads_as_empty() -> None:
    empty = Grounding.from_dict({"fully_grounded": True})
    assert (empty.traced, empty.untraced, empty.contradictions) == ([], [], [])
    assert empty.fully_grounded
