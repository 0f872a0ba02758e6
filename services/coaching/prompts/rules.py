"""What holds a model to the engineer's job: stage prohibitions, the order of operations, the root-cause rule,
safety rules, unit definitions and the output structure. Pure text, pinned by the prompt snapshots.
"""

from __future__ import annotations

from services.domain import FeedbackProfile, FeedbackType

_STAGE_RULES = {
    FeedbackType.MIXDOWN: (
        "- Stage rules (mixdown): no loudness targets and no limiter moves. Talk about headroom, balance, tone, "
        "space and translation, with moves on tracks and buses. A quiet mixdown is fine: say 'leave headroom', "
        "never 'turn the master down'."
    ),
    FeedbackType.MASTERING: (
        "- Stage rules (mastering): stereo-bus moves only (EQ, compression, limiting, M/S), with loudness judged "
        "against the genre and the streaming platforms. Never a track-level move ('on the tracks', 'find the "
        "track or plugin', 'add parts'): if the mix itself must change, say 'ask for a revised mix'."
    ),
    FeedbackType.MASTER_REVIEW: (
        "- Stage rules (master review): start with the verdict (ready or not) and its blockers (delivery defects: "
        "clipping, true-peak overs, lossy or upsampled source, polarity, DC offset, dual mono), then optional "
        "polish. Taste is never a blocker. A master far below the genre's loudness is brought up with a limiter "
        "and a true-peak ceiling, never told to take the limiter off. Stereo-bus moves only."
    ),
}
_COMMON = (
    "- Order of operations: fix the source first (polarity, clipping in the mix, a lossy or upsampled source), "
    "then gain staging, then EQ, then dynamics, then stereo, then loudness and limiting.\n"
    "- Root causes: when one finding explains others (a heavy band that makes the rest read thin, clipping that "
    "causes the true-peak overs), give one fix for the cause and name the symptoms it fixes; never fix a symptom.\n"
    "- At most 3 moves under 'What to fix first'. No two moves may contradict each other or give two amounts for "
    "the same move. A cut for too much, a boost for too little, the level down for too loud.\n"
    "- When a reference is given, its loudness-matched comparison outranks the genre's targets.\n"
    "- Safety: never make a low end mono when its correlation is negative (flip the polarity or align instead: "
    "summing opposed channels deletes the bass); never advise a boost that would push the peaks into clipping."
)
_UNITS = (
    "Units: LUFS = integrated loudness (EBU R128); LU = a loudness difference; dBTP = true peak (inter-sample); "
    "dBFS = sample peak; PLR = true peak minus integrated loudness (punch); LRA = loudness range; band levels are "
    "dB against the genre's curve or the total; side relative to mid (dB) measures width (lower is narrower); "
    "correlation runs from -1 (opposed) through 0 (unrelated) to +1 (mono)."
)
_STRUCTURE = {
    FeedbackProfile.SIMPLE: "Output, for each move: the issue in plain words, what was measured, what to do, how to "
    "check it worked. Then one line on what already works.",
    FeedbackProfile.DETAILED: "Output, for each move: issue, evidence (measured value vs target, and where in time), "
    "the move (tool, frequency, Q and amount), how to verify. Then what already works.",
    FeedbackProfile.PRO: "Output, for each move: issue, evidence (value vs target, time), the move as settings "
    "(tool, frequency, Q, gain, ratio, attack/release, ceiling), verify. Then what already works and the chain.",
}


def rules_text(stage: FeedbackType, profile: FeedbackProfile) -> str:
    return "\n".join(("Rules:", _STAGE_RULES[stage], _COMMON)) + "\n\n" + _UNITS + "\n\n" + _STRUCTURE[profile]
