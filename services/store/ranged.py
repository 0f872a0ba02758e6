"""A stored object read as a seekable file through HTTP range requests, so a worker analyses audio from the object
store without first copying the whole file to its disk.

The analysis reads every sample once, front to back, after a few header seeks: ``RANGE_BYTES`` sized ranges behind
a ``BufferedReader`` turn that into one request per 8 MB and a handful for the headers. ``StoredObject`` is the
picklable description a web or queue process hands to an analysis process (obstore stores pickle with their
configuration), which opens it there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

import obstore
from obstore.store import ObjectStore

RANGE_BYTES = 8 * 1024 * 1024


class RangedReader(io.RawIOBase):
    """Seek anywhere, read any length: each read is one ranged GET of exactly what was asked for."""

    def __init__(self, store: ObjectStore, key: str, *, size: int, name: str) -> None:
        super().__init__()
        self._store = store
        self._key = key
        self._size = size
        self._position = 0
        self.name = name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        data = obstore.get_range(self._store, self._key, start=self._position, length=wanted)
        view = memoryview(data)
        memoryview(buffer)[: len(view)] = view
        self._position += len(view)
        return len(view)


@dataclass(frozen=True)
class StoredObject:
    """An object in a store, with the size and a name whose extension hints the format to the decoder."""

    store: ObjectStore
    key: str
    size: int
    name: str

    def open(self) -> BinaryIO:
        raw = RangedReader(self.store, self.key, size=self.size, name=self.name)
        return io.BufferedReader(raw, buffer_size=RANGE_BYTES)
