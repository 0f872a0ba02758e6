"""``make calibrate``: tonal targets from real released music that Debian's game and free-culture packages ship.

Steps (each a module): ``fetch`` (apt-get download + dpkg-deb -x into a gitignored cache), ``corpus`` (which
files are music and which genre each is, from the committed ``corpus.json``), ``measure`` (our own ``analyze``
per track, cached), ``targets`` (per-genre percentiles written to ``services/genres/calibration.json`` and the
manifest) and ``report`` (the tables of ``docs/calibration.md``). Not part of the service: it shells out and
uses the network (the Debian package registry only).
"""
