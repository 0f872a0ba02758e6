"""BS.1770-4 K-weighting for any sample rate, and the channel weights of BS.1770-4 Table 3.

The two biquads (high shelf + RLB high-pass) are re-derived for the actual rate from their analogue
prototypes (the libebur128 / pyloudnorm parameterisation), so 44.1 kHz or 96 kHz files are weighted exactly as
the 48 kHz coefficients printed in the standard.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

_SHELF_F0, _SHELF_G_DB, _SHELF_Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
_HP_F0, _HP_Q = 38.13547087602444, 0.5003270373238773

# Channel order assumed per channel count (SMPTE/WAVE order); LFE weight 0, surrounds 1.41 (+1.5 dB).
_WEIGHTS: dict[int, tuple[float, ...]] = {
    1: (1.0,),
    2: (1.0, 1.0),
    3: (1.0, 1.0, 1.0),
    4: (1.0, 1.0, 1.41, 1.41),
    5: (1.0, 1.0, 1.0, 1.41, 1.41),
    6: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41),
    7: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41),
    8: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41, 1.41),
}


def k_weighting_sos(sr: int) -> npt.NDArray[np.float64]:
    """Second-order sections ``(2, 6)`` of the K-weighting filter at ``sr`` Hz."""
    k = math.tan(math.pi * _SHELF_F0 / sr)
    vh = 10.0 ** (_SHELF_G_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf = [
        (vh + vb * k / _SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / _SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / _SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * _HP_F0 / sr)
    a0 = 1.0 + k / _HP_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HP_Q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64)


def channel_weights(channels: int) -> npt.NDArray[np.float64]:
    """BS.1770 weights by channel count; layouts beyond 7.1 weigh every channel 1.0."""
    return np.array(_WEIGHTS.get(channels, (1.0,) * channels), dtype=np.float64)
