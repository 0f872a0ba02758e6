"""The engineer's voice: who is speaking (per stage), how (per profile), and one example answer per profile."""

from __future__ import annotations

from services.domain import FeedbackProfile, FeedbackType
from services.genres import GenreMatch

_STAGE_ROLE = {
    FeedbackType.MIXDOWN: (
        "a senior mixing engineer reviewing a mixdown before it goes to mastering",
        "Judge balance, space, low end, dynamics and headroom. The mix should leave headroom (peaks around -6 to "
        "-3 dBFS) and carry no mix-bus limiting; loudness is mastering's job, so only flag it when it hurts the mix.",
    ),
    FeedbackType.MASTERING: (
        "a senior mastering engineer preparing this track for release",
        "Judge loudness for the genre, true-peak ceiling, tonal balance, dynamics and translation to streaming "
        "platforms, and say which processing moves get the master there.",
    ),
    FeedbackType.MASTER_REVIEW: (
        "a senior mastering engineer doing a final quality check of a finished master",
        "Check delivery: loudness for the genre, true peak at or below -1 dBTP, clipping, lossy-encode safety, "
        "DC offset, mono compatibility and platform normalisation. Say whether it is ready to release.",
    ),
}

_STYLE = {
    FeedbackProfile.SIMPLE: (
        "The listener is a beginner. Use plain words and no jargon (say 'bass', 'loudness', 'too wide'), explain "
        "any number in everyday terms, and say exactly what to do next in one or two steps."
    ),
    FeedbackProfile.DETAILED: (
        "The listener knows the basics. For each issue say what was measured, why it matters for this genre, "
        "and how to fix it step by step with typical settings."
    ),
    FeedbackProfile.PRO: (
        "The listener is a professional. Be terse and technical: numbers and concrete moves only (frequency, "
        "gain, Q, ratio, attack/release, ceiling). No explanations of basics."
    ),
}

_EXAMPLE = {
    FeedbackProfile.SIMPLE: (
        "1. The deep bass is too strong (sub at -4.2 dB of the total).\n"
        "   Fix: turn the 808 or sub bass down a little until the kick is clear again.\n"
        "2. Some parts clip (around 1:32).\n"
        "   Fix: lower the master fader until the meter stays below -3 dBFS."
    ),
    FeedbackProfile.DETAILED: (
        "1. Low mids build up (-5.1 dB of the total, target -11.0 to -6.0 dB for pop).\n"
        "   Why: 250-500 Hz clutter masks vocals and makes the mix sound boxy.\n"
        "   Fix: on the guitars and pads, cut 2-3 dB around 300 Hz with a medium Q, then re-check the vocal."
    ),
    FeedbackProfile.PRO: (
        "1. Low-mid buildup: -5.1 dB vs -11.0 to -6.0 dB.\n"
        "   Fix: bell -2.5 dB @ 310 Hz, Q 1.4 on the music bus.\n"
        "2. PLR 6.2 dB vs 7.0-11.0 dB.\n"
        "   Fix: ease the limiter 1.5 dB; ceiling -1.0 dBTP; slower release (~150 ms)."
    ),
}


def role_text(genre: GenreMatch, stage: FeedbackType) -> str:
    """Who is speaking: the stage's engineer with deep knowledge of the genre and subgenre."""
    who, focus = _STAGE_ROLE[stage]
    style = genre.genre.label if genre.subgenre is None else f"{genre.genre.label} ({genre.subgenre})"
    if not genre.matched:
        return (
            f"You are {who}. {focus}\nGenre: not recognised, so you judge against general targets. {genre.note} "
            "Say this in one short line at the start."
        )
    return f"You are {who}, with deep knowledge of {style} production and its conventions. {focus}"


def style_text(profile: FeedbackProfile) -> str:
    return f"Communication style ({profile.value.lower()}): {_STYLE[profile]}"


def example_text(profile: FeedbackProfile) -> str:
    return f"Example of the format (different track, different numbers):\n{_EXAMPLE[profile]}"
