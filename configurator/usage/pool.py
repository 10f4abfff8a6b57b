"""Worker processes that compute a list of tasks on every core and hand back the results in task order.

Task ``i`` goes to worker ``i % n`` (the scan makes its tasks contiguous runs of about equal size, so
the work interleaves evenly); each worker streams its results through a pipe as soon as each is
ready, and results that arrive early wait here until their turn. No helper threads, no task queue:
the parent only reads, and between reads runs ``meanwhile``.

- Linux: bare ``fork`` + pipes + length-prefixed ``marshal`` frames, no ``multiprocessing`` import
  (it costs more than a small scan) and no cyclic GC in the workers. Results must be marshallable:
  tuples, lists, dicts, str, int, float, bool, None — not tuple subclasses such as NamedTuple.
- Elsewhere: processes ``multiprocessing`` spawns, results pickled; ``setup`` and ``work`` must then
  be picklable (module-level functions, or ``functools.partial`` of one).

A worker that fails sends its traceback; the parent raises :class:`RuntimeError` with it (and an
``OSError`` when no process can be started), and the caller decides what to do instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: what a worker sends: (index of the task, its result), or (-1, the traceback of a failure)
Message = tuple[int, Any]
Messages = Generator[Message, None, None]


class _Sender(Protocol):
    def send(self, obj: Message) -> None: ...

    def close(self) -> None: ...


def _worker_main(out: _Sender, tasks: list[tuple[int, T]], setup: Callable[[], object],
                 work: Callable[[T], object]) -> None:
    """A worker process: compute its tasks in order, send each result as soon as it is ready.

    ``out``: a multiprocessing connection, or a :class:`_Frames` writer.
    """
    import gc

    gc.disable()  # a short-lived process that only allocates what it returns: no cycles to collect
    try:
        setup()
        for index, task in tasks:
            out.send((index, work(task)))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which raises it
        import traceback

        try:
            out.send((-1, "".join(traceback.format_exception(type(e), e, e.__traceback__))))
        except OSError:
            pass
    finally:
        out.close()


class _Frames:
    """Length-prefixed ``marshal`` frames over a pipe."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, obj: Message) -> None:
        import marshal

        data = marshal.dumps(obj)
        view = memoryview(len(data).to_bytes(8, "little") + data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self) -> None:
        os.close(self.fd)


def _fork_messages(shares: list[list[tuple[int, T]]], setup: Callable[[], object], work: Callable[[T], object],
                   meanwhile: Callable[[], None] | None) -> Messages:
    """The workers' messages as they arrive, from bare forks and pipes (Linux)."""
    import marshal
    import select

    pids: list[int] = []
    fds: list[int] = []
    try:
        for share in shares:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the caller's code
                code = 0
                try:
                    os.close(read_fd)
                    for fd in fds:
                        os.close(fd)
                    _worker_main(_Frames(write_fd), share, setup, work)
                except BaseException:  # noqa: BLE001
                    code = 1
                finally:
                    os._exit(code)
            os.close(write_fd)
            pids.append(pid)
            fds.append(read_fd)
        if meanwhile is not None:
            meanwhile()
        pending = {fd: bytearray() for fd in fds}
        while pending:
            ready, _, _ = select.select(list(pending), [], [])
            for fd in ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    del pending[fd]
                    continue
                buf = pending[fd]
                buf += chunk
                while len(buf) >= 8:
                    size = int.from_bytes(buf[:8], "little")
                    if len(buf) < 8 + size:
                        break
                    message = marshal.loads(buf[8:8 + size])
                    del buf[:8 + size]
                    yield message
    finally:
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for pid in pids:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, 15)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _spawn_messages(shares: list[list[tuple[int, T]]], setup: Callable[[], object], work: Callable[[T], object],
                    meanwhile: Callable[[], None] | None) -> Messages:
    """The workers' messages as they arrive, from processes multiprocessing spawns (not Linux)."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    procs = []
    readers = []
    try:
        for share in shares:
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker_main, args=(writer, share, setup, work), daemon=True)
            proc.start()
            writer.close()
            procs.append(proc)
            readers.append(reader)
        if meanwhile is not None:
            meanwhile()
        alive = list(readers)
        while alive:
            ready = wait(alive)
            for reader in [r for r in alive if r in ready]:
                try:
                    yield reader.recv()
                except EOFError:
                    alive.remove(reader)
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for reader in readers:
            reader.close()


def forks() -> bool:
    """True where the workers are bare forks (Linux), False where multiprocessing spawns them."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def in_order(tasks: Sequence[T], n: int, work: Callable[[T], R], *, setup: Callable[[], object],
             meanwhile: Callable[[], None] | None = None) -> Iterator[R]:
    """``work(task)`` for every task, in task order, computed by ``n`` worker processes that each
    run ``setup()`` first. ``meanwhile`` runs in this process once the workers are started.

    Raises OSError when the processes cannot be started, RuntimeError when a worker fails or stops
    early (with the worker's traceback).
    """
    shares = [[(i, tasks[i]) for i in range(w, len(tasks), n)] for w in range(n)]
    start = _fork_messages if forks() else _spawn_messages
    messages = start(shares, setup, work, meanwhile)
    waiting: dict[int, R] = {}
    turn = 0
    try:
        for index, payload in messages:
            if index < 0:
                raise RuntimeError(f"a usage worker failed:\n{payload}")
            waiting[index] = payload
            while turn in waiting:
                yield waiting.pop(turn)
                turn += 1
            if turn == len(tasks):
                break
        if turn < len(tasks):
            raise RuntimeError("a usage worker stopped before sending all its results")
    finally:
        messages.close()  # reaps (or stops) the workers
