"""OLE2 compound files (the container of .xls and .doc) written from streams, for files no tool here makes: a
workbook carrying a VBA project (Excel's `_VBA_PROJECT_CUR` storage) as Excel saves a macro workbook.

Version 3 of the format ([MS-CFB]): 512-byte sectors, one FAT, no mini stream (every stream is padded to the
4096-byte cutoff, so that all live in regular sectors), each storage's children in a binary search tree
ordered as the format orders names (by length, then upper-cased).
"""

from __future__ import annotations

import struct

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
CUTOFF = 4096


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams`, named by path ("Workbook", "_VBA_PROJECT_CUR/VBA/Module1")."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    storages = {"": 0}
    for path, data in streams.items():
        parent = ""
        for part in path.split("/")[:-1]:
            key = f"{parent}/{part}" if parent else part
            if key not in storages:
                storages[key] = len(entries)
                entries.append({"name": part, "type": 1, "children": [], "data": b""})
                entries[storages[parent]]["children"].append(storages[key])
            parent = key
        entries.append({"name": path.split("/")[-1], "type": 2, "children": [], "data": data.ljust(CUTOFF, b"\0")})
        entries[storages[parent]]["children"].append(len(entries) - 1)

    sectors: list[bytes] = []
    chains: list[tuple[int, int]] = []  # (first sector, count) of each stream, in entries order
    for entry in entries:
        data = entry["data"]
        if entry["type"] != 2:
            entry["start"] = END if entry["type"] == 5 else 0
            continue
        entry["start"] = len(sectors)
        count = -(-len(data) // SECTOR)
        chains.append((len(sectors), count))
        sectors.extend(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\0") for i in range(count))
    directory_start = len(sectors)
    directory = b"".join(_entry(entry, entries) for entry in entries)
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\0")
    directory_count = len(directory) // SECTOR
    sectors.extend(directory[i * SECTOR : (i + 1) * SECTOR] for i in range(directory_count))
    chains.append((directory_start, directory_count))
    fat_count = 1
    while (len(sectors) + fat_count) > fat_count * (SECTOR // 4):
        fat_count += 1
    fat_start = len(sectors)
    fat = [FREE] * (fat_count * SECTOR // 4)
    for first, count in chains:
        for i in range(count):
            fat[first + i] = first + i + 1 if i < count - 1 else END
    for i in range(fat_count):
        fat[fat_start + i] = FAT_SECTOR
    sectors.extend(struct.pack(f"<{SECTOR // 4}I", *fat[i * 128 : (i + 1) * 128]) for i in range(fat_count))
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_count,
        directory_start,
        0,
        CUTOFF,
        END,
        0,
        END,
        0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _order(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def _entry(entry: dict, entries: list[dict]) -> bytes:
    name = entry["name"].encode("utf-16-le") + b"\0\0"
    child = _tree(sorted(entry["children"], key=lambda i: _order(entries[i]["name"])), entries)
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name.ljust(64, b"\0"),
        len(name),
        entry["type"],
        1,  # black
        entry.get("left", NO_STREAM),
        entry.get("right", NO_STREAM),
        child,
        b"\0" * 16,
        0,
        0,
        0,
        entry["start"],
        len(entry["data"]),
    )


def _tree(ordered: list[int], entries: list[dict]) -> int:
    """The root of a balanced search tree over the sorted children; sets each child's left and right."""
    if not ordered:
        return NO_STREAM
    middle = len(ordered) // 2
    root = ordered[middle]
    entries[root]["left"] = _tree(ordered[:middle], entries)
    entries[root]["right"] = _tree(ordered[middle + 1 :], entries)
    return root
