"""Genre conventions in words, so advice says what is normal for the style and not only what is off target.

Hand-written lines for the genres whose conventions change the advice most; every other genre gets a line built
from its target data (dynamics and width ranges), in words and without loudness figures (a mixdown answer must not
carry a loudness target).
"""

from __future__ import annotations

from services.genres import Genre

_WORDS: dict[str, str] = {
    "cinematic": "orchestral and film music keeps natural decorrelation between the channels and wide dynamics; a "
    "wide, partly out-of-step image is normal there, and the quiet passages should stay quiet",
    "classical": "classical recordings keep the room's natural decorrelation and very wide dynamics; no bus "
    "limiting, and a wide image is normal",
    "ambient": "ambient music lives on a wide, decorrelated image and soft transients; width is a feature",
    "jazz": "jazz keeps the dynamics of the players and a natural stereo picture of the room",
    "trap": "trap carries loud 808s with a mono sub, crisp hats and a dense, limited master",
    "hip-hop": "hip-hop keeps the kick and bass mono and upfront, with the vocal dry and centred",
    "dubstep": "dubstep keeps the sub mono and heavy, with wide mid-bass and a dense, limited master",
    "drum-and-bass": "drum and bass keeps a mono, steady sub under sharp, fast drums",
    "house": "house keeps a mono kick and bass that drive the groove, with the width in pads and effects",
    "techno": "techno keeps a mono, punchy low end for clubs, with the width in the percussion and effects",
    "metal": "metal keeps a tight, mono low end under dense, wide guitars",
    "folk": "folk and acoustic music keeps natural dynamics and the sound of the instruments and room",
    "singer-songwriter": "singer-songwriter mixes keep the voice upfront and natural dynamics",
    "lo-fi": "lo-fi keeps a soft top end and gentle dynamics on purpose; a dull top is a style, not a flaw",
    "pop": "pop keeps the vocal upfront and centred, a mono low end and a controlled, bright top",
}


def convention(genre: Genre) -> str:
    """One sentence on what is normal for the genre."""
    words = _WORDS.get(genre.name)
    if words is None:
        t = genre.targets
        dyn = "wide dynamics" if (t.plr_db.low or 0) >= 9 else "dense, controlled dynamics"
        # side within about 2 dB of the mid (60 % of its power) at the genre's wide end: a wide image
        wide = "a wide image" if (t.side_to_mid_db.high or -60.0) >= -2.2 else "a focused image with a mono low end"
        words = f"{genre.label} usually has {dyn} and {wide}"
    return f"In this genre: {words}."
