"""``make eval``: the tonal flaw-detection matrix over the calibration corpus (needs ``make calibrate`` first).

For a few real tracks per genre: the clean excerpt and each flaw of ``tests.fakes.flaws`` (peak-normalised after
the EQ) are analysed and diagnosed at mixdown in the track's own genre; a flaw is found when a tonal/bass finding
names one of its bands in its direction. Also counts MAJOR tonal/bass findings on every clean corpus track, with
the current rule and with the rule before calibration (for the before/after figure in docs/calibration.md).
"""
