"""The only PoolScope code that runs inside pool workers (threads or processes).

Every traced task goes through ``traced_call``: it reports task-start, runs the
user's function, and reports task-end (result preview or the Python traceback)
plus the task's own CPU time. Reports are JSON datagrams sent to the runner's
event hub over a Unix datagram socket whose address is in the environment
(``POOLSCOPE_EVENTS_ADDR``), so the same code works in a thread of the runner,
in a forked child and in a spawned child. A datagram is atomic: a worker killed
mid-write can never corrupt the event stream. Only the standard library is used.
"""

import asyncio
import importlib.util
import inspect
import json
import os
import pickle
import signal
import socket
import sys
import threading
import time
import traceback

ADDR_ENV = 'POOLSCOPE_EVENTS_ADDR'
RUNNER_PID_ENV = 'POOLSCOPE_RUNNER_PID'
USER_FILE_ENV = 'POOLSCOPE_USER_FILE'
PREVIEW_CHARS = 120
# One datagram carries at most this much log text; longer writes are split.
LOG_CHUNK_CHARS = 16 * 1024
MAX_LOG_CHARS_PER_TASK = 1024 * 1024
_OUR_DIR = os.path.dirname(os.path.abspath(__file__))



class TaskTimeout(BaseException):
    """Raised inside a task that ran past --timeout (by SIGALRM, on a process's main thread).

    A BaseException, like KeyboardInterrupt: the task's own `except Exception` does not swallow it.
    """


class TaskRaisedBaseException(Exception):
    """A task raised KeyboardInterrupt, SystemExit, GeneratorExit or TaskTimeout.

    The task is reported failed under that name first; the pool then sees this ordinary exception
    instead, so it keeps its worker and settles the future (multiprocessing.Pool would lose the
    worker and wait for the result forever).
    """


_local = threading.local()
_send_lock = threading.Lock()
_sender = None  # (pid, socket): re-created after fork, since a socket is per process
_capture_installed_pid = None


def _after_fork_in_child():
    # Another thread of the parent may have held the lock (or been mid-send) at fork time:
    # the child starts with a fresh lock and its own socket.
    global _send_lock, _sender
    _send_lock = threading.Lock()
    _sender = None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def now_us():
    """CLOCK_MONOTONIC in µs: the same clock as Node's process.hrtime on Linux."""
    if hasattr(time, 'monotonic_ns'):
        return time.monotonic_ns() // 1000
    return int(time.monotonic() * 1e6)  # Python < 3.7, only to report PythonTooOld


def preview(value, limit=PREVIEW_CHARS):
    try:
        text = repr(value)
    except Exception as e:  # a broken __repr__ must not fail the task
        text = '<unrepresentable %s: %s>' % (type(value).__name__, e)
    return text if len(text) <= limit else text[: limit - 1] + '…'


def args_preview(args, kwargs=None):
    parts = [preview(a, PREVIEW_CHARS) for a in args]
    parts += ['%s=%s' % (k, preview(v, PREVIEW_CHARS)) for k, v in (kwargs or {}).items()]
    text = ', '.join(parts)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + '…'


def send(message):
    """Send one event datagram to the hub. Silently drops when no hub is listening."""
    global _sender
    addr = os.environ.get(ADDR_ENV)
    if not addr:
        return
    data = json.dumps(message, separators=(',', ':'), default=str).encode('utf-8')
    with _send_lock:
        pid = os.getpid()
        if _sender is None or _sender[0] != pid:
            _sender = (pid, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        try:
            _sender[1].sendto(data, _address(addr))
        except OSError:
            pass  # the hub is gone (run stopped): the task itself must still finish or fail on its own


def _address(addr):
    # Linux abstract namespace: a leading '@' stands for the NUL byte (no file to clean up).
    return ('\0' + addr[1:]) if addr.startswith('@') else addr


def identity():
    """(pid, native thread id, the name Python reports for this worker)."""
    import multiprocessing
    thread = threading.current_thread()
    in_child = str(os.getpid()) != os.environ.get(RUNNER_PID_ENV)
    if in_child and thread is threading.main_thread():
        name = multiprocessing.current_process().name  # ForkProcess-1, SpawnProcess-2, ForkPoolWorker-1 …
    else:
        name = thread.name  # ThreadPoolExecutor-0_0, MainThread …
    return os.getpid(), threading.get_native_id(), name


def announce_worker(born_us=None):
    """Report this thread as a pool worker, once. Used as a pool initializer and before the first task."""
    if getattr(_local, 'announced', None) == os.getpid():
        return
    _local.announced = os.getpid()
    pid, tid, name = identity()
    send({'k': 'ws', 'pid': pid, 'tid': tid, 'name': name, 'at': now_us(), 'born': born_us})


def init_worker(born_us=None, user_file=None, memory_limit_mb=None):
    """Pool initializer: announce the worker as soon as it is up (so start-up cost shows)."""
    _install_capture()
    if user_file:
        os.environ[USER_FILE_ENV] = user_file
    if memory_limit_mb:
        limit_memory(memory_limit_mb)
    announce_worker(born_us)


# The memory limit of this process worker in MiB, once limit_memory() set it.
_memory_limit_mb = None


def limit_memory(limit_mb):
    """Process workers: the address space may grow by `limit_mb` beyond what the worker has mapped now
    (RLIMIT_AS), so an allocation past it raises MemoryError in the task that made it and the worker lives
    on. Linux (/proc/self/status); elsewhere nothing is limited."""
    global _memory_limit_mb
    try:
        import resource
        with open('/proc/self/status') as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith('VmSize:'))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = mapped + int(limit_mb) * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        _memory_limit_mb = int(limit_mb)
    except (ImportError, OSError, ValueError, StopIteration):
        pass


def warm_up(fnref=None, together=None, hold_s=0.0):
    """A pool's warm-up call (no task events): the worker has announced itself (the pool initializer); load
    the user's module here too, and with `together` (a threading.Barrier) wait for the other threads, so a
    thread pool starts every thread instead of reusing the first; `hold_s` keeps a process worker busy a
    moment so the other calls reach the other workers."""
    if fnref is not None:
        try:
            fnref.resolve()
        except BaseException:
            pass  # the first task fails with the import error, reported as that task's
    if together is not None:
        try:
            together.wait(5.0)
        except threading.BrokenBarrierError:
            pass
    if hold_s:
        time.sleep(hold_s)
    return os.getpid()


class FnRef:
    """A task function by reference (file + export name), like pickle does it, for any start method."""

    def __init__(self, file, module_name, name):
        self.file = file
        self.module_name = module_name
        self.name = name

    def resolve(self):
        module = sys.modules.get(self.module_name)
        if module is None:
            module = load_module(self.file, self.module_name)
        return getattr(module, self.name)


def load_module(file, module_name):
    """Import a user's .py file under `module_name` (registered so pickle can find its classes)."""
    directory = os.path.dirname(os.path.abspath(file))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def error_info(exc, user_file=None):
    """name, message, the traceback without PoolScope's own frames, and where it points in the user's file."""
    te = traceback.TracebackException.from_exception(exc)
    _strip_our_frames(te)
    stack = ''.join(te.format())
    data = {'type': '%s.%s' % (type(exc).__module__, type(exc).__qualname__)}
    frames = list(te.stack)
    user_file = user_file or os.environ.get(USER_FILE_ENV)
    pick = None
    for frame in reversed(frames):
        if user_file and os.path.abspath(frame.filename) == os.path.abspath(user_file):
            pick = frame
            break
    if pick is None and frames:
        pick = frames[-1]
    if pick is not None:
        data.update({'file': pick.filename, 'line': pick.lineno, 'function': pick.name})
    return {'name': type(exc).__name__, 'message': str(exc), 'stack': stack, 'data': data}


def _strip_our_frames(te):
    seen = set()
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        kept = [f for f in te.stack if not os.path.abspath(f.filename).startswith(_OUR_DIR + os.sep)]
        te.stack = traceback.StackSummary.from_list(kept)
        te = te.__cause__ or te.__context__


def traced_call(meta, fn, *args, **kwargs):
    """Run one task: report start, call fn, report end (result preview or traceback) and CPU time.

    The result or exception is passed through unchanged, so a traced pool behaves
    exactly like an untraced one for the user's code.
    """
    _install_capture()
    if isinstance(fn, FnRef):
        fn = fn.resolve()
    announce_worker(meta.get('born'))
    task_id = meta['task']
    pid, tid = os.getpid(), threading.get_native_id()
    _local.task = task_id
    _local.log_chars = 0
    send({'k': 'ts', 'task': task_id, 'pid': pid, 'tid': tid, 'at': now_us()})
    cpu0 = time.thread_time_ns()
    alarm = _arm_timeout(meta.get('timeoutMs'))
    try:
        try:
            result = fn(*args, **kwargs)
            if inspect.iscoroutine(result):
                # An `async def` task: run it to completion on an event loop of its own, in this worker.
                result = asyncio.run(result)
        finally:
            _disarm_timeout(alarm)
        if meta.get('checkPickle') and str(pid) != os.environ.get(RUNNER_PID_ENV):
            # The pool will pickle the result to send it home; fail here, visibly, if it can't.
            pickle.dumps(result)
    except BaseException as exc:
        cpu = (time.thread_time_ns() - cpu0) // 1000
        _end_task_output(task_id)
        error = error_info(exc)
        if isinstance(exc, TaskTimeout):
            error['data'].update({'timeoutMs': meta.get('timeoutMs'), 'pid': pid})
        elif isinstance(exc, MemoryError) and _memory_limit_mb:
            error['message'] = ('the task went past its worker\'s memory limit of %d MiB (address space); raise it with '
                                '--max-memory' % _memory_limit_mb) + (': %s' % error['message'] if error.get('message') else '')
            error.setdefault('data', {})['limitMb'] = _memory_limit_mb
        send({'k': 'te', 'task': task_id, 'pid': pid, 'tid': tid, 'at': now_us(), 'ok': False,
              'error': error, 'cpu': cpu})
        if meta.get('contain') and not isinstance(exc, Exception):
            # Fails this task only: the pool gets an ordinary exception and keeps its worker.
            raise TaskRaisedBaseException('%s: %s' % (type(exc).__name__, exc)) from None
        raise
    cpu = (time.thread_time_ns() - cpu0) // 1000
    _end_task_output(task_id)
    send({'k': 'te', 'task': task_id, 'pid': pid, 'tid': tid, 'at': now_us(), 'ok': True,
          'preview': preview(result), 'cpu': cpu})
    return result


def _arm_timeout(timeout_ms):
    """On a process's main thread (process pool workers, py-serial), SIGALRM stops the task at the timeout.

    Threads cannot be interrupted: there the runner's watchdog ends the run instead. Returns what
    _disarm_timeout needs, or None when not armed.
    """
    if not timeout_ms or not hasattr(signal, 'setitimer') or threading.current_thread() is not threading.main_thread():
        return None

    def on_alarm(signum, frame):
        raise TaskTimeout('the task ran longer than the %d ms timeout and was stopped' % timeout_ms)
    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError):
        return None
    signal.setitimer(signal.ITIMER_REAL, timeout_ms / 1000.0)
    return previous


def _disarm_timeout(previous):
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        signal.signal(signal.SIGALRM, previous)
    except (ValueError, OSError):
        pass


class TracedMapFunc:
    """Wraps a function given to multiprocessing.Pool.map/starmap: items arrive as (taskId, item)."""

    def __init__(self, meta, fn, star):
        self.meta = meta
        self.fn = fn
        self.star = star

    def __call__(self, *packed):
        if self.star:
            task_id, item = packed
            return traced_call(dict(self.meta, task=task_id), self.fn, *item)
        task_id, item = packed[0]
        return traced_call(dict(self.meta, task=task_id), self.fn, item)


class _TaskOutput:
    """sys.stdout/sys.stderr stand-in: text written inside a task becomes a log event of that task."""

    def __init__(self, stream, name):
        self._stream = stream
        self._name = name

    def write(self, text):
        task = getattr(_local, 'task', None)
        if task is None or not isinstance(text, str):
            return self._stream.write(text)
        # Line-buffered per thread and stream: print('a', x) is four writes but one log line.
        key = 'pending_' + self._name
        pending = getattr(_local, key, '') + text
        cut = pending.rfind('\n') + 1
        if cut == 0 and len(pending) < LOG_CHUNK_CHARS:
            setattr(_local, key, pending)
            return len(text)
        setattr(_local, key, pending[cut:] if cut else '')
        self._send(task, pending[:cut] if cut else pending)
        return len(text)

    def end_task(self, task):
        """Send what a task wrote without a final newline."""
        key = 'pending_' + self._name
        pending = getattr(_local, key, '')
        if pending:
            setattr(_local, key, '')
            self._send(task, pending)

    def _send(self, task, text):
        budget = MAX_LOG_CHARS_PER_TASK - getattr(_local, 'log_chars', 0)
        if budget <= 0:
            return
        shown = text[:budget]
        _local.log_chars = getattr(_local, 'log_chars', 0) + len(shown)
        if len(shown) < len(text):
            shown += '\n[poolscope: output of this task truncated at %d characters]\n' % MAX_LOG_CHARS_PER_TASK
        for i in range(0, len(shown), LOG_CHUNK_CHARS):
            send({'k': 'lg', 'task': task, 'pid': os.getpid(), 'tid': threading.get_native_id(),
                  'stream': self._name, 'text': shown[i:i + LOG_CHUNK_CHARS], 'at': now_us()})

    def flush(self):
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _end_task_output(task_id):
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _TaskOutput):
            stream.end_task(task_id)
    _local.task = None


def _install_capture():
    global _capture_installed_pid
    if _capture_installed_pid == os.getpid():
        return
    _capture_installed_pid = os.getpid()
    if not isinstance(sys.stdout, _TaskOutput) and sys.stdout is not None:
        sys.stdout = _TaskOutput(sys.stdout, 'stdout')
    if not isinstance(sys.stderr, _TaskOutput) and sys.stderr is not None:
        sys.stderr = _TaskOutput(sys.stderr, 'stderr')
