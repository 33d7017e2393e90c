"""Both cores: ``parallel_map`` runs a task over items in forked worker processes.

Forking (not spawning) is the point: the task, the Jinja environment and the
page contexts are inherited by the workers, never pickled; only the items and
the results travel. Results come back in input order, so a parallel build is
byte-identical to a serial one. Where processes cannot be forked, or other
threads are running, everything runs serially in the calling process.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import BuildError, SourceError

__all__ = ["in_background", "parallel_imap", "parallel_map", "release_free_memory", "usable_workers"]

_task: Callable[[Any], Any] | None = None  # the job of the forked workers: inherited, never pickled


def usable_workers() -> int:
    """Worker processes to use: the usable cores, or 1 where processes cannot be forked
    (contexts and the Jinja environment are inherited by forking, not pickled).

    Also 1 when other threads run (``serve``'s build thread beside its HTTP threads):
    a fork copies only the calling thread, and a lock another thread held at that
    moment would stay locked in the child forever."""
    import multiprocessing  # here, not at the top: a no-op rebuild never needs it

    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def parallel_map(task: Callable[[Any], Any], items: Iterable[Any], workers: int,
                 on_done: Callable[[int], None] = lambda done: None) -> list:
    """``[task(item) for item in items]``, in that order, spread over ``workers`` forked
    processes when ``workers > 1``. ``task`` may be a closure (it is inherited); the items
    and results travel by pickle. ``on_done(n)`` follows the results as they arrive."""
    results = []
    for value in parallel_imap(task, items, workers):
        results.append(value)
        on_done(len(results))
    return results


def parallel_imap(task: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
    """``parallel_map``'s results one at a time, in order, as they arrive: a caller that
    folds them into something smaller never holds them all."""
    global _task
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        yield from map(task, items)
        return
    import multiprocessing

    release_free_memory()
    _task = task
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(items))) as pool:
            for ok, value in pool.imap(_run_task, items):
                if not ok:
                    raise _error_from(value)
                yield value
    finally:
        _task = None


@contextmanager
def in_background(task: Callable[[], Any], fork: bool) -> Iterator[Callable[[], Any]]:
    """Run ``task()`` beside the caller, in one forked process when ``fork``; yields a
    function that waits for its result (raising its error). Without ``fork`` the task
    runs when its result is asked for. Leaving the block stops a task still running,
    so a build that fails meanwhile leaves no process writing into its staging folder.

    For work that must be done but is needed late (a clean build's ``index.md``
    pages): it fills the core that the serial stretches of the stages between leave idle."""
    if not fork:
        yield task
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(task, sender), daemon=True)
    process.start()
    sender.close()  # the child's end: the parent's copy would keep recv() from ever seeing EOF

    def result() -> Any:
        try:
            ok, value = receiver.recv()
        except EOFError:
            raise BuildError(f"a background task ended without a result (exit code {process.exitcode})") from None
        if not ok:
            raise _error_from(value)
        return value

    try:
        yield result
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        receiver.close()


def _send_result(task: Callable[[], Any], sender: Any) -> None:
    sender.send(_outcome(task))
    sender.close()


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system before forking (glibc only).

    A forked worker starts with its parent's resident memory, so the freed
    temporaries of the last stage (related articles' word lists, parsed TOML)
    would otherwise count once more in every worker's peak."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim, or no way to ask


def _run_task(item: Any) -> tuple[bool, Any]:
    assert _task is not None
    task = _task
    return _outcome(lambda: task(item))


def _outcome(call: Callable[[], Any]) -> tuple[bool, Any]:
    """In a worker: (True, ``call()``), or (False, the error as plain data).

    ``SourceError`` and ``BuildError`` do not survive pickling (their constructors
    take more than the message), so they travel as their fields."""
    try:
        return True, call()
    except SourceError as exc:
        return False, ("source", exc.path, exc.line, exc.message, exc.hint)
    except BuildError as exc:
        return False, ("build", str(exc))
    except Exception as exc:  # anything else: as itself when it pickles, else as text
        try:
            pickle.dumps(exc)
            return False, ("other", exc)
        except Exception:
            return False, ("other", RuntimeError(f"{type(exc).__name__}: {exc}"))


def _error_from(value: tuple) -> Exception:
    if value[0] == "source":
        return SourceError(value[1], value[2], value[3], hint=value[4])
    if value[0] == "build":
        return BuildError(value[1])
    return value[1]
