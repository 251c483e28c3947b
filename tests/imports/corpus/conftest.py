"""The corpus of broken files: each test writes its file into tmp_path and expects a clear refusal.

``refused(kind, path)`` runs the import and checks the two promises of the issue's "Bad input":
nothing is written, and the run ends rejected or failed with a reason a user can act on.
"""

import struct
import zlib

import pytest

from bangfu.imports.models import RunStatus

from ..conftest import db_counts, reasons


@pytest.fixture
def refused(run):
    """``refused(kind, path, mode=…)``: the import of ``path`` fails and leaves the database as it was."""

    def check(kind: str, path, mode: str = "all"):
        before = db_counts()
        result = run(kind, path, mode=mode)
        assert result.status in (RunStatus.REJECTED, RunStatus.FAILED), reasons(result)
        assert (result.created_count, result.updated_count) == (0, 0)
        assert db_counts() == before
        return result

    return check


def _deflate(prefix: bytes, block: bytes, times: int, suffix: bytes) -> bytes:
    """Raw deflate of ``prefix + block * times + suffix``, compressing ``block`` only once.

    Each part ends with a full flush (byte-aligned, no back-references across it), so the
    compressed copies of ``block`` can simply be repeated: hundreds of MB cost a fraction of a second.
    """

    def part(data: bytes, final: bool = False) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    return part(prefix) + part(block) * times + part(suffix, final=True)


def zip_bytes(members: dict[str, bytes | tuple], *, declared: dict[str, int] | None = None) -> bytes:
    """A zip archive built by hand, every member deflated.

    A member is its content, or ``(block, times)``, or ``(prefix, block, times, suffix)`` for
    content made of one block repeated. ``declared`` overrides the uncompressed size written
    in the headers (an archive that lies).
    """
    local, central, offset = [], [], 0
    for name, content in members.items():
        if isinstance(content, bytes):
            content = (content, b"", 0, b"")
        elif len(content) == 2:
            content = (b"", *content, b"")
        prefix, block, times, suffix = content
        data = _deflate(prefix, block, times, suffix)
        crc = zlib.crc32(prefix)
        for _ in range(times):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(suffix, crc)
        size = (declared or {}).get(name, len(prefix) + len(block) * times + len(suffix))
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        local.append(header + encoded + data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
        offset += len(local[-1])
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(local) + directory + end
