"""Independent tasks on every core, or on a Dask cluster, with results in a fixed order.

:func:`run_tasks` runs ``func(context, *task)`` for each task: in this process (one job), in
worker processes of this machine (``jobs``, default every core this process may use), or on
a Dask cluster (``dask``: a scheduler address or a ``distributed.Client``; the ``[dask]``
extra). The context is sent once to each worker, not with every task, and the results come
back in the order of the tasks whatever ran them. Sweeps and histories are grids of such
independent plans.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from geo.errors import InputError
from layers.atomic import HELD_SIGNALS, signals_held

__all__ = ["can_fork", "default_jobs", "run_tasks"]

T = TypeVar("T")

# What a worker process runs: set once in each worker by _init.
_FUNC: Callable[..., Any] | None = None
_CONTEXT: Any = None


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes can be forked safely now (``fork`` exists, no other thread)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def check_jobs(jobs: int | None) -> int:
    """``jobs`` checked (a whole number >= 1), or :func:`default_jobs` for None."""
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"--jobs is {jobs!r}; expected a whole number of processes >= 1, e.g. 2")
    return jobs


def _init(func: Callable[..., Any], context: Any) -> None:
    global _FUNC, _CONTEXT
    _FUNC, _CONTEXT = func, context
    # A Ctrl-C reaches the whole process group: the parent alone answers it (one line, and
    # it stops the workers); a forked worker would otherwise inherit the parent's handlers
    # and print a traceback of its own. SIGTERM, which the parent sends them, just ends them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # held since the fork (signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD_SIGNALS)


def _call_chunk(tasks: Sequence[tuple[Any, ...]]) -> list[Any]:
    assert _FUNC is not None
    return [_FUNC(_CONTEXT, *task) for task in tasks]


def _connect_timeout() -> float:
    """Seconds to reach a Dask scheduler (``DEPLOYPLAN_DASK_TIMEOUT``, default 10)."""
    raw = os.environ.get("DEPLOYPLAN_DASK_TIMEOUT", "10")
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise InputError(f"DEPLOYPLAN_DASK_TIMEOUT={raw!r} is not seconds > 0; set e.g. 10")
    return value


def _dask_call(func: Callable[..., Any], context: Any, task: tuple[Any, ...]) -> Any:
    return func(context, *task)


def run_tasks(
    func: Callable[..., T],
    context: Any,
    tasks: Sequence[tuple[Any, ...]],
    *,
    jobs: int | None = None,
    dask: str | Any | None = None,
    on_done: Callable[[], None] | None = None,
    chunksize: int | None = None,
) -> list[T]:
    """Return ``[func(context, *task) for task in tasks]``, run on every core or on Dask.

    Parameters
    ----------
    func : callable
        A module-level function (worker processes and Dask workers import it by name).
    context : object
        What every task needs (picklable for Dask and for workers started afresh).
    tasks : sequence of tuple
        The arguments of each call after ``context``.
    jobs : int, optional
        Worker processes (default :func:`default_jobs`); 1 runs in this process.
    dask : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:port``) or a client: run there instead.
    on_done : callable, optional
        Called once as each task finishes (for a progress bar).
    chunksize : int, optional
        Tasks sent to a worker at a time (default: an eighth of each worker's share).

    Raises
    ------
    InputError
        For a bad ``jobs``, a Dask cluster that cannot be reached, or ``dask`` without the
        ``[dask]`` extra. Errors raised by ``func`` are raised as they are.
    """
    if dask is not None:
        return _on_dask(func, context, tasks, dask, on_done)
    workers = min(check_jobs(jobs), len(tasks))
    if workers <= 1:
        out = []
        for task in tasks:
            out.append(func(context, *task))
            if on_done is not None:
                on_done()
        return out
    # fork shares the context without copying it; with other threads running (a server, a
    # progress monitor) forking is unsafe, so workers start afresh and are sent the context
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if can_fork() else "spawn"
    if method == "spawn" and "forkserver" in methods:
        method = "forkserver"
    chunk = chunksize or max(1, len(tasks) // (workers * 8))
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init,
        initargs=(func, context),
    )
    try:
        # Chunks submitted one by one, not Executor.map: an interrupted map cancels the
        # futures it has not returned yet, and the pool's own thread (Python 3.11) then fails
        # on them with a traceback of its own when it finds the workers terminated.
        # The workers are forked while the chunks are submitted: until a worker has set its
        # own handlers (_init), a Ctrl-C or SIGTERM would reach it with this process's and
        # print a traceback there, so both are held while it forks, and the new worker
        # inherits them held until _init has set its handlers.
        with signals_held():
            futures = [
                executor.submit(_call_chunk, tasks[start : start + chunk])
                for start in range(0, len(tasks), chunk)
            ]
        out = []
        for future in futures:
            for result in future.result():
                out.append(result)
                if on_done is not None:
                    on_done()
    except Exception:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM): stop the workers now, not after their current task.
        # The pool then marks what was left as broken; cancelling it first as well would
        # make the pool's own thread fail on the cancelled futures.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
        # Then let the pool's thread see them gone and finish before this process exits;
        # Python 3.11 joins it at exit, and its exit hook writes to the thread's pipe while
        # the thread closes it (a traceback after "interrupted"). A worker killed while it
        # sent a result leaves half a message, which the thread would wait for forever:
        # closing this process's end of the result pipe (only the workers write to it)
        # ends that read.
        manager = getattr(executor, "_executor_manager_thread", None)
        results = getattr(executor, "_result_queue", None)
        executor.shutdown(wait=False)
        with contextlib.suppress(AttributeError, OSError):
            results._writer.close()  # type: ignore[union-attr]
        if manager is not None:
            manager.join(timeout=10)
        raise
    executor.shutdown(wait=True)
    return out


def _on_dask(
    func: Callable[..., T],
    context: Any,
    tasks: Sequence[tuple[Any, ...]],
    dask: str | Any,
    on_done: Callable[[], None] | None,
) -> list[T]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(
            "--dask needs Dask's distributed scheduler; install the extra: "
            "pip install 'deployplan[dask]'"
        ) from None
    own = isinstance(dask, str)
    client: Any
    if own:
        try:
            client = Client(dask, timeout=_connect_timeout())
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(
                f"cannot reach the Dask scheduler at '{dask}' ({reason}); start one (dask "
                "scheduler) and give its address, e.g. --dask tcp://127.0.0.1:8786"
            ) from None
    else:
        client = dask
    try:
        shared = client.scatter(context, broadcast=True, hash=False)
        futures = [client.submit(_dask_call, func, shared, task, pure=False) for task in tasks]
        if on_done is not None:
            for _ in as_completed(futures):
                on_done()
        return list(client.gather(futures))
    finally:
        if own:
            client.close()
