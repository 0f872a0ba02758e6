from __future__ import annotations

import pytest

from services.domain import FeedbackProfile, FeedbackType
from services.errors import BadUserInput
from services.genres import get_genre, list_genres, match_genre, parse_feedback_type, parse_profile, stage_rules
from services.genres.catalog import data_source

REQUIRED = [
    "pop", "rock", "indie", "hip-hop", "trap", "r&b", "electronic", "house", "techno", "drum-and-bass", "dubstep",
    "ambient", "jazz", "classical", "metal", "punk", "country", "folk", "reggae", "funk", "lo-fi", "afrobeats", "latin",
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("Hip Hop", "hip-hop"), ("hiphop", "hip-hop"), ("hip-hop", "hip-hop"), ("HIP  HOP!", "hip-hop"),
        ("DnB", "drum-and-bass"), ("drum n bass", "drum-and-bass"), ("Drum & Bass", "drum-and-bass"),
        ("reggae", "reggae"), ("Reggaeton", "latin"), ("R&B", "r&b"), ("rnb", "r&b"), ("lofi", "lo-fi"),
        ("Folk/Acoustic", "folk"), ("Funk / Soul", "funk"), ("afrobeat", "afrobeats"), ("EDM", "electronic"),
    ],
)  # fmt: skip
def test_match_genre_aliases_are_case_and_punctuation_insensitive(text: str, genre: str) -> None:
    match = match_genre(text)
    assert (match.name, match.matched, match.note) == (genre, True, None)


def test_match_genre_finds_a_subgenre_alone_or_after_the_genre() -> None:
    assert (match_genre("melodic techno").name, match_genre("melodic techno").subgenre) == ("techno", "melodic techno")
    split = match_genre("House / deep house")
    assert (split.name, split.subgenre) == ("house", "deep house")
    explicit = match_genre("metal", subgenre="Djent")
    assert (explicit.name, explicit.subgenre, explicit.note) == ("metal", "djent", None)


def test_match_genre_unknown_subgenre_keeps_the_genre_and_says_so() -> None:
    match = match_genre("techno", subgenre="zzz wave")
    assert match.name == "techno" and match.matched and match.note is not None and "zzz wave" in match.note


@pytest.mark.parametrize("text", ["polka", "", "  ", None, "reggaeton-ish sludge"])
def test_match_genre_unknown_maps_to_general_with_a_note(text: str | None) -> None:
    match = match_genre(text)
    assert (match.name, match.matched) == ("general", False)
    assert match.note and "general" in match.note


def test_catalogue_covers_the_required_genres_with_complete_targets() -> None:
    genres = {g.name: g for g in list_genres()}
    assert set(REQUIRED) <= set(genres)
    for genre in genres.values():
        t = genre.targets
        assert genre.aliases and genre.subgenres
        assert set(t.band_levels_db) == {"sub", "bass", "low_mid", "mid", "high_mid", "presence", "air"}
        for rng in (t.integrated_lufs, t.plr_db, t.loudness_range_lu, t.width_pct, *t.band_levels_db.values()):
            assert rng.low is not None and rng.high is not None and rng.low < rng.high
        low, high = t.integrated_lufs.low or 0.0, t.integrated_lufs.high or 0.0
        assert -24 <= low < high <= -4


def test_stage_rules_mixdown_keeps_headroom_and_masters_do_not() -> None:
    mix = stage_rules(FeedbackType.MIXDOWN)
    assert mix.sample_peak_dbfs is not None and (mix.sample_peak_dbfs.low, mix.sample_peak_dbfs.high) == (-6, -3)
    assert not mix.allows_limiting and mix.true_peak_max_dbtp is None
    for stage in (FeedbackType.MASTERING, FeedbackType.MASTER_REVIEW):
        rules = stage_rules(stage)
        assert rules.allows_limiting and rules.sample_peak_dbfs is None and rules.true_peak_max_dbtp == -1.0
    assert "AES" in data_source()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("master review", FeedbackType.MASTER_REVIEW), ("master_review", FeedbackType.MASTER_REVIEW),
     ("review", FeedbackType.MASTER_REVIEW), ("MIXDOWN", FeedbackType.MIXDOWN), ("Mastering", FeedbackType.MASTERING)],
)  # fmt: skip
def test_parse_feedback_type_accepts_aliases(text: str, expected: FeedbackType) -> None:
    assert parse_feedback_type(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("pro", FeedbackProfile.PRO), ("professional", FeedbackProfile.PRO), ("Expert", FeedbackProfile.PRO),
     ("simple", FeedbackProfile.SIMPLE), ("DETAILED", FeedbackProfile.DETAILED)],
)  # fmt: skip
def test_parse_profile_accepts_aliases(text: str, expected: FeedbackProfile) -> None:
    assert parse_profile(text) is expected


def test_parse_options_reject_bad_values_listing_the_allowed_ones() -> None:
    with pytest.raises(BadUserInput, match="MIXDOWN, MASTERING, MASTER_REVIEW"):
        parse_feedback_type("loudest")
    with pytest.raises(BadUserInput, match="SIMPLE, DETAILED, PRO"):
        parse_profile("wizard")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("orchestral soundtrack", "cinematic"), ("film score", "cinematic"), ("game soundtrack", "cinematic"),
     ("Cinematic", "cinematic"), ("orchestral", "cinematic"), ("an epic orchestral score for my game", "cinematic"),
     ("singer-songwriter", "singer-songwriter"), ("K-Pop", "k-pop"), ("uplifting trance", "trance"),
     ("EDM", "electronic"), ("lofi hip hop beats to study to", "lo-fi"), ("8-bit", "chiptune"),
     ("dark ambient drone", "ambient"), ("folk/acoustic", "folk"), ("classical piano", "classical")],
)  # fmt: skip
def test_free_text_finds_the_genre(text: str, expected: str) -> None:
    assert match_genre(text).name == expected


def test_catalogue_has_thirty_genres_each_with_a_documented_tonal_source() -> None:
    genres = list_genres()
    assert len(genres) >= 30
    for genre in genres:
        tonal = genre.tonal
        assert tonal.tracks >= 3 and tonal.source
        if tonal.calibration != genre.name:
            assert tonal.widen_db > 0 and "hand-set" in tonal.source and tonal.calibration in tonal.source


def test_band_targets_are_those_of_real_masters_not_pink_noise() -> None:
    """Pink noise puts -12.3 dB of its power in 4-6 kHz and -7.6 dB in 6-20 kHz; real releases sit far lower."""
    for genre in list_genres(include_general=True):
        t = genre.targets
        assert t.band_centre_db["presence"] < -12.3 - 2.0 and t.band_centre_db["air"] < -7.6 - 4.0, genre.name
        for band, rng in t.band_balance_db.items():
            assert rng.low is not None and rng.high is not None and rng.low < 0.0 < rng.high, (genre.name, band)
            level = t.band_levels_db[band]
            assert level.low is not None and level.high is not None
            assert level.low < t.band_centre_db[band] < level.high


def test_stand_in_genres_are_wider_than_the_group_they_borrow() -> None:
    house, electronic = get_genre("house").targets, get_genre("electronic").targets
    for band, rng in house.band_balance_db.items():
        base = electronic.band_balance_db[band]
        assert rng.low is not None and base.low is not None and rng.high is not None and base.high is not None
        assert rng.low < base.low and rng.high > base.high
