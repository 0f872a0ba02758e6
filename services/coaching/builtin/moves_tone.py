"""Recipes for tone and space: band balance (genre curve or reference), resonances, polarity, width and low end.

A heavy band is always cut and a light one boosted (the grounding check holds every answer to that). Mixdown moves
name tracks and buses; mastering moves use only the stereo bus (EQ, M/S). A low end whose channels are opposed is
flipped or aligned, never made mono: summing opposed channels deletes the bass.
"""

from __future__ import annotations

from services.coaching.builtin.recipe import Recipe, Step, band_span, first, is_mix, range_text, where
from services.coaching.grounding_moves import CENTRES_HZ
from services.diagnosis import BAND_LABELS, Finding, fmt
from services.domain import FeedbackProfile as P
from services.domain import FeedbackType

_EQ_LIMIT_DB = 6.0  # beyond this an EQ move turns into a source or arrangement problem


PLAIN = {"sub": "the deep sub-bass", "bass": "the bass", "low_mid": "the boxy low mids", "mid": "the mids",
         "high_mid": "the harsh upper mids", "presence": "the presence range", "air": "the airy top end"}  # fmt: skip


def band_of(f: Finding) -> str:
    """The band a tonal, bass or reference-band finding is about ("tonal.sub_heavy" → "sub")."""
    tail = f.id.split(".", 1)[1]
    return tail if f.id.startswith("reference.") else tail.rsplit("_", 1)[0]


def heavy(f: Finding) -> bool:
    return f.id.endswith("_heavy") or (f.id.startswith("reference.") and first(f) > 0)


def _centre(band: str) -> str:
    """Where an engineer puts a broad move for the band (300 Hz for boxiness, 3 kHz for harshness ...)."""
    return fmt(CENTRES_HZ[band], "Hz")


def _size(f: Finding) -> float:
    if f.id.startswith("reference."):
        return abs(first(f))
    if f.target is None or not f.measured:
        return 0.0
    return abs(f.target.distance(first(f)))


def tonal(f: Finding, stage: FeedbackType) -> Recipe:
    band = band_of(f)
    cut = heavy(f)
    move, sign, span, centre = ("cut" if cut else "boost"), ("-" if cut else "+"), band_span(band), _centre(band)
    size, short = _size(f), BAND_LABELS[band].split(" (", 1)[0]
    amt = fmt(size, "dB") if size >= 0.1 else "1.0 dB"
    shape = "shelf" if band in ("sub", "air") else "bell"
    aim = f" ({range_text(f)})" if range_text(f) and not f.id.startswith("reference.") else ""
    verify = (
        f"Re-analyse: the {span} range lands inside the target{aim}."
        if aim
        else (f"Re-analyse: the {span} range matches the reference at matched loudness.")
    )
    if is_mix(stage):
        big = size > _EQ_LIMIT_DB
        extra = (" then thin out the parts that fill it" if cut else " then add a part that fills it") if big else ""
        voice = {
            P.SIMPLE: f"Use an EQ to {move} {PLAIN[band]} ({span}) a little on the instruments that fill it.",
            P.DETAILED: f"On the tracks that fill the {short} ({span}), {move} about {amt} with a broad {shape} "
            f"around {centre}{where(f)};{extra or ' fix it there before touching the mix bus'}.",
            P.PRO: f"{move.capitalize()} the {short}: {shape} {sign}{amt} @ {centre}, Q 0.7, on the tracks that fill "
            f"it;{extra or ' dynamic EQ if it only builds in dense parts'}.",
        }
    else:
        voice = {
            P.SIMPLE: f"On the whole song, {move} {PLAIN[band]} ({span}) a little with an EQ.",
            P.DETAILED: f"With a broad {shape} on the stereo bus, {move} the {short} about {amt} around {centre}"
            f"{where(f)}; if it needs more than that, ask for a revised mix.",
            P.PRO: f"{move.capitalize()} the {short} on the bus: {shape} {sign}{amt} @ {centre}, Q 0.7 (linear "
            "phase); M/S if only the mid or side is off.",
        }
    return Recipe(Step.EQ, f"band:{band}", move, voice, verify)


def resonance(f: Finding, stage: FeedbackType) -> Recipe:
    freq = fmt(first(f), "Hz")
    prom = fmt(f.measured[1].value or 0.0, "dB") if len(f.measured) > 1 else "a few dB"
    on = "on the track that rings" if is_mix(stage) else "on the stereo bus"
    return Recipe(Step.EQ, f"resonance:{freq}", "cut", {
        P.SIMPLE: f"Something rings at {freq}. Use a narrow EQ cut there until the ringing stops.",
        P.DETAILED: f"A narrow peak at {freq} stands {prom} above its neighbours: sweep a narrow bell around {freq} "
        f"{on} and cut until the peak sits flush.",
        P.PRO: f"Notch @ {freq}, Q 6-8, cut up to {prom} {on}; dynamic if it only rings in places.",
    }, f"Re-analyse: no resonance at {freq}.")  # fmt: skip


def polarity(f: Finding, stage: FeedbackType) -> Recipe:
    at = where(f)
    if is_mix(stage):
        voice = {
            P.SIMPLE: f"One side of the bass is upside down{at}. Flip the polarity (the 'ø' button) on one channel "
            "of the bass, and do not make it mono.",
            P.DETAILED: f"Left and right are opposed in the low end{at}: find the bass or kick whose channels cancel, "
            "flip the polarity of one channel or nudge it into time alignment. Making it mono would cancel it.",
            P.PRO: f"Low-band polarity/alignment{at}: invert one side or align (sample delay) at the source. No "
            "mono-maker: it sums the opposed channels to nothing.",
        }
    else:
        voice = {
            P.SIMPLE: f"One side of the bass is upside down{at}. Ask for a corrected mix, or flip one channel's "
            "polarity in the low end; do not make it mono.",
            P.DETAILED: f"Left and right are opposed in the low end{at}: ask for a corrected mix, or flip the polarity "
            "of one channel below about 120 Hz on the stereo bus. Never mono it: that deletes the bass.",
            P.PRO: f"Low-band polarity{at}: corrected mix, or invert one side below 120 Hz (crossover) on the bus. "
            "No mono-maker.",
        }
    return Recipe(Step.SOURCE, "polarity", "fix", voice, "Check in mono: the bass stays, and the low-band "
                  "correlation reads above 0.")  # fmt: skip


def phase(f: Finding, stage: FeedbackType) -> Recipe:
    if f.severity.value in ("MAJOR", "CRITICAL"):
        return polarity(f, stage)
    at = where(f)
    text = (f"Listen in mono{at}: flip the polarity of stereo-miked or doubled parts and reduce wideners that "
            "cancel." if is_mix(stage) else f"Listen in mono{at}: lower the side level with M/S on the stereo bus "
            "where it cancels.")  # fmt: skip
    return Recipe(Step.STEREO, "side", "down", dict.fromkeys(P, text), "Check in mono: nothing disappears.")


def width(f: Finding, stage: FeedbackType) -> Recipe:
    wide = f.id.endswith("too_wide") or (f.id.startswith("reference.") and first(f) > 0)
    direction = "down" if wide else "up"
    if is_mix(stage):
        text = ("Bring the stereo effects and wide pads in a little, so the image holds together." if wide else
                "Check the panning: spread the supporting parts between left and right; keep bass, kick and lead "
                "vocal centred.")  # fmt: skip
    else:
        text = f"With M/S on the stereo bus, {'lower' if wide else 'raise'} the side level a little."
    return Recipe(Step.STEREO, "side", direction, dict.fromkeys(P, text), "Re-analyse: the side-to-mid level "
                  "lands in the genre's range and it still holds up in mono.")  # fmt: skip


def low_end(f: Finding, stage: FeedbackType) -> Recipe:
    corr = next((m.value for m in f.measured if "correlation" in m.key and m.value is not None), None)
    if corr is not None and corr < 0:  # opposed, not wide: never mono it
        return polarity(f, stage)
    text = {
        P.SIMPLE: "Make the lowest bass mono: most EQs have a 'mono bass' switch.",
        P.DETAILED: "Keep everything below 120 Hz in the centre: a mono-maker or M/S EQ removing the side below "
        "120 Hz" + (" on the bass bus, and no wideners on bass sounds." if is_mix(stage) else " on the stereo bus."),
        P.PRO: "M/S: side high-pass at 120 Hz" + (" on the bass bus; check sub layers and reverb returns." if
                                                 is_mix(stage) else " on the stereo bus."),
    }  # fmt: skip
    return Recipe(Step.STEREO, "low_side", "down", text, "Re-analyse: the low end's side level drops and it "
                  "stays as loud in mono.")  # fmt: skip


def balance(f: Finding, stage: FeedbackType) -> Recipe:
    text = ("Re-balance the panning so left and right carry the same weight." if is_mix(stage) else
            "Trim the louder channel with a balance control on the stereo bus.")  # fmt: skip
    return Recipe(
        Step.STEREO, "balance", "fix", dict.fromkeys(P, text), "Re-analyse: left and right read the same level."
    )


def uneven_low(f: Finding, stage: FeedbackType) -> Recipe:
    text = ("Even out the bass: compress the bass bus gently or automate the low parts." if is_mix(stage) else
            "Even out the low end with gentle multiband compression below 120 Hz on the stereo bus.")  # fmt: skip
    return Recipe(Step.DYNAMICS, "low_comp", "down", dict.fromkeys(P, text), "Re-analyse: the low end's level "
                  "jumps less from second to second.")  # fmt: skip


def low_end_vs_reference(f: Finding, stage: FeedbackType) -> Recipe:
    """Toward the reference's low-end width; side level only, never a mono switch (the channels may be opposed)."""
    wider = first(f) > 0
    on = " on the bass bus" if is_mix(stage) else " on the stereo bus"
    text = f"{'Lower' if wider else 'Raise'} the side below 120 Hz a little with an M/S EQ{on}, toward the reference."
    return Recipe(Step.STEREO, "low_side", "down" if wider else "up", dict.fromkeys(P, text), "Compare again "
                  "with the reference at matched loudness: the low end's width matches.")  # fmt: skip
