"""Which files of the downloaded packages are music, and which genre each is, from the committed ``corpus.json``.

A track is named ``package:path`` (the path inside the package, or ``archive!member`` for music kept inside a
zip/pk3 game archive). The genre comes from the track's own entry, else from the first matching rule of its
package; the evidence for each rule is written next to it in ``corpus.json`` and ``docs/calibration.md``.
"""

from __future__ import annotations

import fnmatch
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.calibrate.fetch import unpacked

CORPUS_FILE = Path(__file__).with_name("corpus.json")
_AUDIO = (".ogg", ".opus", ".mp3", ".flac", ".wav")


@dataclass(frozen=True)
class Track:
    package: str
    path: str  # inside the package; "archive!member" for archived music
    genre: str

    @property
    def name(self) -> str:
        return f"{self.package}:{self.path}"


def load() -> dict[str, object]:
    doc: dict[str, object] = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    return doc


def _members(root: Path, spec: dict[str, object], *, min_bytes: int) -> list[str]:
    """Every audio file of the package big enough to be a piece of music (jingles and effects are smaller)."""
    archive = spec.get("archive")
    if isinstance(archive, str):
        with zipfile.ZipFile(root / archive) as z:
            return [
                f"{archive}!{i.filename}"
                for i in z.infolist()
                if i.filename.lower().endswith(_AUDIO) and i.file_size >= min_bytes
            ]
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.suffix.lower() in _AUDIO and p.stat().st_size >= min_bytes
    )


def _genre_of(path: str, spec: dict[str, object], overrides: dict[str, str], name: str) -> str | None:
    if name in overrides:
        return overrides[name]
    rules = spec.get("rules", [])
    assert isinstance(rules, list)
    for rule in rules:
        if any(fnmatch.fnmatch(path, pattern) for pattern in rule["match"]):
            return str(rule["genre"]) if rule["genre"] else None
    return None


def tracks(cache: Path) -> list[Track]:
    """Every corpus track with its genre (files no rule covers, or whose genre is null, are left out)."""
    doc = load()
    packages = doc["packages"]
    overrides = doc.get("tracks", {})
    assert isinstance(packages, dict) and isinstance(overrides, dict)
    cap = int(str(doc["max_per_package_genre"]))
    out = []
    for package, spec in packages.items():
        taken: dict[str, int] = {}
        for path in _members(unpacked(cache, package), spec, min_bytes=int(str(doc["min_bytes"]))):
            genre = _genre_of(path, spec, overrides, f"{package}:{path}")
            if genre and taken.get(genre, 0) < cap:  # no package may dominate a genre's curve
                taken[genre] = taken.get(genre, 0) + 1
                out.append(Track(package=package, path=path, genre=genre))
    return out


def local_file(cache: Path, track: Track) -> Path:
    """The track as a file on disk (archived members are extracted once into the cache)."""
    root = unpacked(cache, track.package)
    if "!" not in track.path:
        return root / track.path
    archive, member = track.path.split("!", 1)
    target = cache / "members" / track.package / member
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(root / archive) as z:
            target.write_bytes(z.read(member))
    return target


def interleaved(tracks: list[Track]) -> list[Track]:
    """One track of each package and genre in turn, so a partial run already covers every package and genre."""
    by_package: dict[tuple[str, str], list[Track]] = {}
    for t in tracks:
        by_package.setdefault((t.package, t.genre), []).append(t)
    queues = list(by_package.values())
    out: list[Track] = []
    while any(queues):
        out.extend(q.pop(0) for q in queues if q)
    return out
