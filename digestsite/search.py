"""Stage 6: index a rendered site with Pagefind for client-side search.

Runs the Pagefind binary shipped by the ``pagefind[bin]`` package (``python -m
pagefind``). Only pages marked ``data-pagefind-body`` (the article pages) are
indexed; their ``data-pagefind-filter`` (topic, spokesperson) and
``data-pagefind-meta`` (title, standfirst) attributes become filters and
result fields. Writes ``pagefind/`` inside the given site folder and nothing
else.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path

from .errors import BuildError

__all__ = ["index_site"]

log = logging.getLogger(__name__)
_TIMEOUT_SECONDS = 3600  # a stuck indexer must not hang CI or the dev server forever


def index_site(site_dir: Path, language: str = "en") -> int:
    """Index the site under ``site_dir``; returns the number of pages in the index."""
    # The binary, through the package's own entry point, rather than the package's
    # async API: that API shuts its backend down as soon as the write call returns,
    # and under load pagefind-entry.json was sometimes still empty.
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir),
               "--force-language", language.split("-")[0] or "en", "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"Pagefind could not index {site_dir}: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        hint = " (is pagefind[bin] installed?)" if "No module named" in result.stderr else ""
        raise BuildError(f"Pagefind failed to index {site_dir}: {detail[0]}{hint}")
    bundle = site_dir / "pagefind"
    canonicalize_index(bundle)
    # Pagefind reads every page but indexes only those with data-pagefind-body:
    # one fragment file per indexed page.
    return len(list((bundle / "fragment").glob("*.pf_fragment")))


# -- deterministic output --------------------------------------------------
#
# Pagefind writes each filter's values, and the list of filters, in hash-map
# order, which changes from run to run (Pagefind issue #638 fixed this for
# fragments only). The filter file is gzip'd CBOR: ["topic", [[value, [page,
# ...]], ...]]. Sorting those lists by their bytes, naming the files by their
# new hashes and updating the references makes two builds byte-identical.

_SIGNATURE = b"pagefind_dcd"


def canonicalize_index(bundle: Path) -> None:
    """Rewrite Pagefind's filter files (and the names that refer to them) in a stable order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _gunzip(meta_path)
        for filter_path in sorted((bundle / "filter").glob(f"{language['hash'].split('_')[0]}_*.pf_filter")):
            old_name = filter_path.stem.encode()
            if old_name not in meta:
                continue
            data = _sorted_filter(_gunzip(filter_path))
            new_name = _renamed(old_name, data)
            filter_path.unlink()
            (bundle / "filter" / f"{new_name.decode()}.pf_filter").write_bytes(gzip.compress(data, mtime=0))
            meta = meta.replace(old_name, new_name)
        meta = _sorted_meta(meta)
        new_meta_name = _renamed(language["hash"].encode(), meta).decode()
        meta_path.unlink()
        (bundle / f"pagefind.{new_meta_name}.pf_meta").write_bytes(gzip.compress(meta, mtime=0))
        language["hash"] = new_meta_name
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _renamed(old: bytes, data: bytes) -> bytes:
    """Same prefix and length as Pagefind's name, hash taken from the new content."""
    prefix, _, digits = old.partition(b"_")
    return prefix + b"_" + hashlib.sha256(data).hexdigest()[: len(digits)].encode()


def _sorted_filter(data: bytes) -> bytes:
    body = data[len(_SIGNATURE):] if data.startswith(_SIGNATURE) else data
    # array(2) [name, array(n) [entries]]
    name_end = _cbor_end(body, 1)
    count, entries_start = _cbor_head(body, name_end)
    entries, position = [], entries_start
    for _ in range(count):
        end = _cbor_end(body, position)
        entries.append(body[position:end])
        position = end
    if position != len(body):
        raise ValueError("unexpected filter layout")
    return data[: len(data) - len(body)] + body[:entries_start] + b"".join(sorted(entries))


# The meta file is [version, fragments, index chunks, filters, sorts, meta fields];
# filters ([name, file] pairs) and meta fields (names) come in hash-map order.
_META_SETS = (3, 5)


def _sorted_meta(data: bytes) -> bytes:
    body = data[len(_SIGNATURE):] if data.startswith(_SIGNATURE) else data
    count, position = _cbor_head(body, 0)
    parts = [body[:position]]
    for index in range(count):
        end = _cbor_end(body, position)
        item = body[position:end]
        parts.append(_sorted_array(item) if index in _META_SETS and item[0] >> 5 == 4 else item)
        position = end
    return data[: len(data) - len(body)] + b"".join(parts) + body[position:]


def _sorted_array(item: bytes) -> bytes:
    count, position = _cbor_head(item, 0)
    elements = []
    for _ in range(count):
        end = _cbor_end(item, position)
        elements.append(item[position:end])
        position = end
    return item[: _cbor_head(item, 0)[1]] + b"".join(sorted(elements))


def _cbor_head(data: bytes, position: int) -> tuple[int, int]:
    """(argument, position after the head) of the CBOR item at ``position``."""
    info = data[position] & 31
    if info < 24:
        return info, position + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
    return int.from_bytes(data[position + 1 : position + 1 + size], "big"), position + 1 + size


def _cbor_end(data: bytes, position: int) -> int:
    """Where the CBOR item starting at ``position`` ends (definite lengths only)."""
    major = data[position] >> 5
    argument, position = _cbor_head(data, position)
    if major in (2, 3):
        return position + argument
    if major in (4, 5):
        for _ in range(argument * (2 if major == 5 else 1)):
            position = _cbor_end(data, position)
        return position
    if major == 6:
        return _cbor_end(data, position)
    return position
