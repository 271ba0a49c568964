"""Reading a store's ``.npz`` files from a stranger: only the members expected, each declared shape checked against a
bound before a byte of it is decompressed, never a pickle (a crafted member that declares 10**13 elements, or an
extra one that inflates to gigabytes, is refused with one line, not read)."""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path
from typing import Mapping

import numpy as np

MAX_MEMBERS = 16


def _header(f, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, Fortran order, dtype) from a ``.npy`` member's header, the stream left at its data."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"member {name!r} has an unknown .npy version {version}")
    if dtype.hasobject:
        raise ValueError(f"member {name!r} holds Python objects, not numbers")
    return shape, fortran, dtype


def read_npz(path: Path, limits: Mapping[str, int], others: int | None = None) -> dict[str, np.ndarray]:
    """The arrays of ``path``, each member at most ``limits[name]`` elements (a member not named there: at most
    ``others`` elements, or refused when ``others`` is None).

    Raises:
        ValueError: naming the file and why it is refused (not a zip, an unexpected or oversized member, truncated).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ValueError(f"{len(infos)} members, more than any store file holds")
            out = {}
            for info in infos:
                name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
                limit = limits.get(name, others)
                if limit is None:
                    raise ValueError(f"an unexpected member {name[:40]!r}")
                with zf.open(info) as f:
                    shape, fortran, dtype = _header(f, name[:40])
                    count = math.prod(shape)
                    if count > limit:
                        raise ValueError(f"member {name[:40]!r} declares {shape} ({count:,} elements; at most "
                                         f"{limit:,} fit this store)")
                    data = f.read(count * dtype.itemsize)
                if len(data) != count * dtype.itemsize:
                    raise ValueError(f"member {name[:40]!r} is truncated")
                out[name] = np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C").copy()
            return out
    except ValueError as exc:
        raise ValueError(f"{path}: refused: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError) as exc:
        raise ValueError(f"{path}: not a readable .npz file ({type(exc).__name__}: {exc})") from None
