"""``make bench`` (``python -m bench``): speed and memory of the analysis against pyloudnorm and ffmpeg.

Generates its own music-like material, runs every measurement in a fresh process (so peak RSS and cold-start
costs are real) and prints one table. Not part of the test suite: timings never gate tests.
"""
