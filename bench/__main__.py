"""``python -m bench``: generate material, measure ours vs pyloudnorm vs ffmpeg, print one table."""

from __future__ import annotations

import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench.busy import busy_runs
from bench.measure import Run, python, run_process

OURS_COLD = "import sys\nfrom services.analysis import analyze\nanalyze(sys.argv[1])"
OURS_CLI_COLD = (
    "import sys\nfrom api.commands.analyze import register\nimport argparse\n"
    "p = argparse.ArgumentParser(); register(p.add_subparsers())\n"
    "a = p.parse_args(['analyze', sys.argv[1], '--json'])\nimport contextlib, io\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n    rc = a.func(a)\nsys.exit(rc)"
)
# Warm: the server's worker is a long-lived process, so imports and first-call set-up are paid once. The child
# prints the best of 3 runs as "wall cpu" (process CPU of that run, every thread counted).
OURS_WARM = (
    "import sys, time\nfrom services.analysis import AnalysisConfig, analyze\n"
    "cfg = AnalysisConfig(threads=int(sys.argv[2]))\nanalyze(sys.argv[1], config=cfg)\n"
    "best = (1e9, 0.0)\nfor _ in range(3):\n    t, c = time.perf_counter(), time.process_time()\n"
    "    analyze(sys.argv[1], config=cfg)\n"
    "    best = min(best, (time.perf_counter() - t, time.process_time() - c))\nprint(*best)"
)
IMPORT_ONLY = "import time\nt = time.perf_counter()\nimport services.analysis.engine\nprint(time.perf_counter() - t)"
PYLN_COLD = (
    "import sys\nimport soundfile as sf, pyloudnorm as pyln\n"
    "d, sr = sf.read(sys.argv[1], dtype='float32')\npyln.Meter(sr).integrated_loudness(d)"
)
PYLN_WARM = (
    "import sys, time\nimport soundfile as sf, pyloudnorm as pyln\nbest = 1e9\nfor _ in range(3):\n"
    "    t = time.perf_counter(); d, sr = sf.read(sys.argv[1], dtype='float32')\n"
    "    pyln.Meter(sr).integrated_loudness(d); best = min(best, time.perf_counter() - t)\nprint(best)"
)


def _cli_argv(path: Path) -> list[str]:
    """The installed ``mixcoach`` entry point, or the same command module run directly if it is missing."""
    entry = Path(sys.executable).parent / "mixcoach"
    return [str(entry), "analyze", str(path), "--json"] if entry.exists() else python(OURS_CLI_COLD, str(path))


def ffmpeg_argv(path: Path) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
            "-f", "null", "-"]  # fmt: skip


def _row(run: Run) -> str:
    return (
        f"{run.name:<46} {run.audio_s / 60:>6.1f} {run.wall_s:>8.3f} {run.realtime_x:>9.0f}x {run.peak_rss_mb:>9.1f}"
        f" {run.cpu_s:>9.2f}"
    )


def _four_minutes(path: Path, *, has_ffmpeg: bool, rounds: int = 3) -> dict[str, Run]:
    """Cold runs are interleaved over ``rounds`` rounds and the best of each kept, so ours and the peers see
    the same machine load (this box is shared); warm rows are the best of 3 runs inside one process."""
    audio = 240.0
    cold = {
        "cold": (python(OURS_COLD, str(path)), "ours: full analysis, cold process"),
        "cli": (_cli_argv(path), "ours: mixcoach analyze --json (cold CLI)"),
        "pyln_cold": (python(PYLN_COLD, str(path)), "pyloudnorm: read + integrated, cold"),
    }
    if has_ffmpeg:
        cold["ffmpeg"] = (ffmpeg_argv(path), "ffmpeg ebur128=peak=true")
    best: dict[str, Run] = {}
    for _ in range(rounds):
        for key, (argv, name) in cold.items():
            run = run_process(argv, name=name, audio_s=audio)
            best[key] = min(best.get(key, run), run, key=lambda r: r.wall_s)
    warm = {
        "import": (IMPORT_ONLY, (), "ours: import only (cold)"),
        "warm1": (OURS_WARM, (str(path), "1"), "ours: full analysis, warm, 1 thread"),
        "warm2": (OURS_WARM, (str(path), "2"), "ours: full analysis, warm, 2 threads"),
        "pyln_warm": (PYLN_WARM, (str(path),), "pyloudnorm: read + integrated, warm"),
    }
    for key, (code, args, name) in warm.items():
        best[key] = run_process(python(code, *args), name=name, audio_s=audio, inner_timing=True)
    order = ("import", "cold", "cli", "warm1", "warm2", "pyln_cold", "pyln_warm", "ffmpeg")
    return {key: best[key] for key in order if key in best}


def _sixty_minutes(path: Path, *, has_ffmpeg: bool) -> list[Run]:
    audio = 3600.0
    runs = [run_process(python(OURS_COLD, str(path)), name="ours: full analysis, 60 min 48 kHz", audio_s=audio)]
    if has_ffmpeg:
        runs.append(run_process(ffmpeg_argv(path), name="ffmpeg ebur128=peak=true, 60 min", audio_s=audio))
    return runs


def _generate(path: Path, *, seconds: float, sr: int, subtype: str, seed: int) -> Path:
    """Write material in a child process, so this parent never imports numpy: a forked child's peak RSS
    includes the parent's pages at fork time, which would inflate every figure."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom bench.material import write_track\n"
        "write_track(Path(sys.argv[1]), seconds=float(sys.argv[2]), sr=int(sys.argv[3]), subtype=sys.argv[4],"
        " seed=int(sys.argv[5]))"
    )
    run_process(python(code, str(path), str(seconds), str(sr), subtype, str(seed)), name="generate", audio_s=seconds)
    return path


def _compile_bytecode() -> None:
    """Write the project's ``.pyc`` files before any cold run, as a wheel install does: with
    ``PYTHONDONTWRITEBYTECODE`` set (this box sets it) an editable checkout is otherwise compiled from source in
    every fresh process, about 0.04 s of CPU that no installed copy pays."""
    root = Path(__file__).resolve().parent.parent
    for package in ("services", "api"):
        compileall.compile_dir(root / package, quiet=1)


def main() -> int:
    has_ffmpeg = shutil.which("ffmpeg") is not None
    _compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="mixcoach-bench-") as tmp:
        four = _generate(Path(tmp) / "four_min_44k.wav", seconds=240.0, sr=44100, subtype="PCM_24", seed=0)
        quiet_load = _load()
        runs = _four_minutes(four, has_ffmpeg=has_ffmpeg)
        busy_load = _load()
        busy = busy_runs(cold=python(OURS_COLD, str(four)), warm=python(OURS_WARM, str(four), "2"),
                         ffmpeg=ffmpeg_argv(four) if has_ffmpeg else None)  # fmt: skip
        hour = _generate(Path(tmp) / "sixty_min_48k.wav", seconds=3600.0, sr=48000, subtype="PCM_16", seed=1)
        hour_runs = _sixty_minutes(hour, has_ffmpeg=has_ffmpeg)
    print(f"{'measurement':<46} {'min':>6} {'wall s':>8} {'realtime':>10} {'RSS MB':>9} {'proc CPU':>9}")
    for run in [*runs.values(), *busy.values(), *hour_runs]:
        print(_row(run))
    _summary(runs, hour_runs, has_ffmpeg=has_ffmpeg)
    print(f"load average (1, 5, 15 min) before the plain runs: {quiet_load}; before the busy-core runs: {busy_load}")
    if has_ffmpeg:
        quiet = {"warm": runs["warm2"], "cold": runs["cold"], "ffmpeg": runs["ffmpeg"]}
        _versus({"quiet machine": quiet, "one core busy": busy})
    return 0


def _versus(conditions: dict[str, dict[str, Run]]) -> None:
    """Ours against ffmpeg per condition, warm (the worker's case: imports paid once) and cold (a fresh process,
    imports included; ffmpeg is always a fresh process, its own start-up about 0.05 s)."""
    print()
    print(f"{'ours / ffmpeg, 4 min 44.1 kHz':<30} {'warm wall':>10} {'warm CPU':>9} {'cold wall':>10} {'cold CPU':>9}"
          f" {'ffmpeg wall':>12} {'ffmpeg CPU':>11}")  # fmt: skip
    for name, r in conditions.items():
        ff = r["ffmpeg"]
        ratios = " ".join(f"{r[k].wall_s / ff.wall_s:>10.2f} {r[k].cpu_s / ff.cpu_s:>9.2f}" for k in ("warm", "cold"))
        print(f"{name:<30} {ratios} {ff.wall_s:>11.2f}s {ff.cpu_s:>10.2f}s")
    print(
        "(ratios < 1.0 meet the target; x real time of ours warm: "
        + ", ".join(f"{name} {r['warm'].realtime_x:.0f}x" for name, r in conditions.items())
        + ", target >= 150x)"
    )


def _load() -> str:
    """The machine's load average now: a ratio means little if other work shared the cores."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _summary(runs: dict[str, Run], hour_runs: list[Run], *, has_ffmpeg: bool) -> None:
    warm = min(runs["warm1"], runs["warm2"], key=lambda r: r.wall_s)
    cold = runs["cold"]
    print()
    print(f"cold-start cost (cold process - best warm): {cold.wall_s - warm.wall_s:.2f} s "
          f"(imports {runs['import'].wall_s:.2f} s; no numba JIT is used)")  # fmt: skip
    print(f"ratio ours/pyloudnorm: warm {warm.wall_s / runs['pyln_warm'].wall_s:.2f}, "
          f"cold {cold.wall_s / runs['pyln_cold'].wall_s:.2f}")  # fmt: skip
    if has_ffmpeg:
        ff = runs["ffmpeg"]
        print(f"ratio ours/ffmpeg: warm {warm.wall_s / ff.wall_s:.2f}, cold {cold.wall_s / ff.wall_s:.2f}, "
              f"cold CLI {runs['cli'].wall_s / ff.wall_s:.2f} (target < 1.0)")  # fmt: skip
    print(f"x real time (warm): {warm.realtime_x:.0f}x, cold process: {cold.realtime_x:.0f}x (target >= 150x)")
    print("(warm rows: wall and CPU of the best of 3 in-process runs; a warm-up run and the imports come first)")
    if has_ffmpeg and len(hour_runs) > 1:
        print(f"60-min ratio ours/ffmpeg (both cold processes): {hour_runs[0].wall_s / hour_runs[1].wall_s:.2f}")
    print(f"60-min peak RSS: {hour_runs[0].peak_rss_mb:.0f} MB (target <= 300 MB; decoded audio alone 1382 MB)")
    print(f"load average at the end (1, 5, 15 min): {_load()} on {os.cpu_count()} CPUs (this box may be shared)")


if __name__ == "__main__":
    sys.exit(main())
