"""Write the rendered site atomically into the output folder.

``staged_output(out_dir)`` yields a fresh folder beside ``out_dir``; the caller
writes the whole site there. Only when the block finishes without an error is
the staged folder swapped in (an atomic exchange of the two names where the OS
offers one), so a failed or killed build leaves the previous site untouched.

The build owns its output folder: a marker file says so. It refuses to replace
a non-empty folder without the marker, the filesystem root, the home folder,
and any folder that contains or lies inside the content or templates folder,
so ``--out ~`` or ``--out content`` cannot destroy anything.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .errors import BuildError

__all__ = ["MARKER", "check_output_dir", "link_files", "output_stamp", "staged_output", "write_files"]

MARKER = ".digestsite-output"
_STAGING = ".{name}.staging-{pid}"
_RETIRED = ".{name}.old-{pid}"
_RENAME_EXCHANGE = 2  # from <linux/fs.h>


def check_output_dir(out_dir: Path, protected: Sequence[Path] = ()) -> None:
    """Raise BuildError when replacing ``out_dir`` could destroy something not ours."""
    out = out_dir.expanduser().resolve()
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise BuildError(f"refusing to use {out_dir} as the output folder: it is {out}")
    for keep in protected:
        keep = keep.expanduser().resolve()
        if out == keep or out in keep.parents or keep in out.parents:
            raise BuildError(f"refusing to use {out_dir} as the output folder: it overlaps {keep}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"refusing to use {out_dir} as the output folder: it is a file")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise BuildError(
            f"refusing to replace {out_dir}: it is not empty and was not made by this tool "
            f"(no {MARKER} file); choose another --out or empty it yourself"
        )


@contextlib.contextmanager
def staged_output(out_dir: Path, protected: Sequence[Path] = (), stamp: str = "") -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``out_dir``, on failure it is removed.

    ``stamp`` (a hash of the build's inputs) is kept in the marker file, so the
    next build can tell whether the site is already up to date.
    """
    check_output_dir(out_dir, protected)
    out = out_dir.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    staging = out.parent / _STAGING.format(name=out.name, pid=os.getpid())
    staging.mkdir()
    try:
        (staging / MARKER).write_text(f"This folder is written by digestsite; a build replaces it whole.\n{stamp}\n")
        yield staging
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def output_stamp(out_dir: Path) -> str:
    """The stamp of the build that made ``out_dir``; "" when there is none."""
    try:
        lines = (out_dir / MARKER).read_text().splitlines()
    except OSError:
        return ""
    return lines[1] if len(lines) > 1 else ""


def _remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed halfway (they never got swapped in)."""
    for pattern in (_STAGING, _RETIRED):
        for leftover in out.parent.glob(pattern.format(name=out.name, pid="*")):
            pid = leftover.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _process_alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old site
        return
    retired = out.parent / _RETIRED.format(name=out.name, pid=os.getpid())
    out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        renameat2 = ctypes.CDLL(libc_name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def write_files(files: Mapping[PurePosixPath, bytes], root: Path) -> None:
    """Write every file under ``root`` (a staging folder) in sorted order; a path
    escaping ``root`` is refused."""
    made: set[str] = set()
    for url_path in sorted(files):
        with open(_target(root, url_path, made), "wb") as file:
            file.write(files[url_path])


def link_files(files: Mapping[PurePosixPath, Path], root: Path) -> None:
    """Hard-link unchanged files from the previous site into ``root`` (copy where links fail).

    Safe because no build ever writes into a file in place: each build writes
    new files, so a shared inode never changes under the other name.
    """
    made: set[str] = set()
    for url_path in sorted(files):
        target = _target(root, url_path, made)
        try:
            os.link(files[url_path], target)
        except OSError:
            shutil.copy2(files[url_path], target)


def _target(root: Path, url_path: PurePosixPath, made: set[str]) -> str:
    """``root/url_path`` with its folders made (``made`` remembers them).

    Checking the path's parts is enough, with no ``resolve()`` per file: ``root``
    is a staging folder this build created, so no link inside it leads out."""
    if url_path.is_absolute() or ".." in url_path.parts or not url_path.parts:
        raise BuildError(f"refusing to write {url_path}: outside the output folder")
    folder = os.path.join(root, *url_path.parts[:-1])
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    return os.path.join(folder, url_path.parts[-1])
