# mixcoach: every target sets up what it needs, so a fresh clone needs only `make run` or `make test`.
PY_SYS ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run test check schema schema-check bench soak browser ci clean calibrate eval mutate music

$(STAMP): pyproject.toml
	test -x $(PY) || $(PY_SYS) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mixcoach serve --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests; a tool's own browser download cannot work here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip"; \
	  else echo "warning: chromium missing and apt unavailable; browser tests will skip"; fi; }

# Real released music that pip packages ship (arcade's game music, librosa's old example file), for the flaw matrix:
# pip downloads the two distributions once into .cache/pip-music (gitignored; ~45 MB, a few seconds).
MUSIC := .cache/pip-music/.fetched
$(MUSIC): $(STAMP) tests/fakes/pip_music.py
	$(PY) -m tests.fakes.pip_music
	touch $(MUSIC)

music: $(MUSIC)

# Two pytest workers, a file each at a time: most tests wait on servers, browsers and databases, so the suite runs in
# about half the time on two cores. `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= 2
test: $(STAMP) browser $(MUSIC)
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

schema: $(STAMP)
	$(VENV)/bin/strawberry export-schema schema:schema --output schema.graphql

schema-check: $(STAMP)
	$(VENV)/bin/strawberry export-schema schema:schema > .schema.tmp && diff -u schema.graphql .schema.tmp; rc=$$?; rm -f .schema.tmp; exit $$rc

# The key/tempo bench renders music21's scores (bench.rendered): music21 from PyPI, fluidsynth and a GM sound font
# from Debian, for the bench only.
CORPUS := $(VENV)/.corpus
$(CORPUS): $(STAMP)
	$(PY) -m pip install -q -e '.[corpus]'
	touch $(CORPUS)

bench: $(STAMP) $(CORPUS)
	@command -v ffmpeg >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null) || echo "warning: no ffmpeg; its column is skipped"; }
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || echo "warning: no wrk; the read bench falls back to its Python load generator"; }
	$(PY) -m bench
	@command -v fluidsynth >/dev/null 2>&1 && [ -e /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fluidsynth fluid-soundfont-gm >/dev/null) || echo "warning: no fluidsynth; the rendered corpus is skipped"; }
	$(PY) -m bench.keytempo
	$(PY) -m bench.feedback_ttft 30
	$(PY) -m bench.queue_throughput 12
	$(PY) -m bench.abuse
	$(PY) -m bench.live_events
	$(PY) -m bench.read_speed
	$(PY) -m bench.stream_latency

# Ten minutes of mixed load against a real server (not in CI): prints errors, RSS, leftover processes, latency.
soak: $(STAMP)
	$(PY) -m bench.soak

# Rebuild the tonal targets from real releases (Debian soundtrack packages; cache in .cache/calibrate, not in git).
calibrate: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(PY) -m bench.calibrate

# The clean-release audit, the twelve-flaw matrix (pip-shipped music; the calibration corpus too when `make calibrate`
# has run) and the first moves; not run in CI. `make eval HOLDOUT=1` prints the audit on the hold-out packages only.
eval: $(STAMP) $(MUSIC)
ifeq ($(HOLDOUT),1)
	OPENBLAS_NUM_THREADS=1 $(PY) -m bench.eval --holdout
else
	$(PY) -m bench.eval_advice
	OPENBLAS_NUM_THREADS=1 $(PY) -m bench.eval
endif

# Mutation testing of the diagnosis and advice code with mutmut, in two passes; kill rate per module (slow: hours on 2 shared cores).
# Report on the last run only: `$(PY) -m bench.mutate --no-run --survivors`.
mutate: $(STAMP)
	$(PY) -m bench.mutate

ci: check schema-check test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
