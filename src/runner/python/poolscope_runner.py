"""PoolScope's Python runner: runs a user's .py function (or script) through a Python pool, traced.

Started by src/runner/python/python-run.ts as
    python3 poolscope_runner.py
with fd 3 open for the event stream (JSON lines, one trace event each, written
in batches) and the run request as the first line of stdin. Stdin then stays
open: when it reaches EOF the parent is gone, and the runner kills its whole
process group so no worker outlives it. The user's prints go to stdout/stderr
(inside a task they become that task's `log` events instead).

Backends (names from src/trace/events.ts):
    py-serial     the runner's main thread, one task after another (the baseline)
    py-thread     concurrent.futures.ThreadPoolExecutor (one PID, N threads, one GIL)
    py-thread-ft  the same on a free-threaded CPython (no GIL), when there is one
    py-process    concurrent.futures.ProcessPoolExecutor (N PIDs)
    py-mp-pool    multiprocessing.Pool (N PIDs)
    py-dask       Dask distributed futures: a LocalCluster of N worker processes for the run, or an
                  existing cluster (request.scheduler), possibly on other machines (poolscope_dask.py)
"""

import concurrent.futures as cf
import faulthandler
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import poolscope_worker as worker  # noqa: E402
from poolscope_events import EventHub, signal_name  # noqa: E402

EVENTS_FD = 3
POLL_S = 0.05
# Longest wait for a Python pool's workers to start before the task phase (then it starts anyway).
WARM_UP_S = 30.0
# After the warm-up calls, how long a worker that got none (a quicker one took two) may still take to start.
STRAGGLER_S = 2.0
# A process warm-up call holds its worker this long, so the other calls go to the other workers.
HOLD_S = 0.05
MIN_PYTHON = (3, 8)
# A task on a process's main thread gets SIGALRM at the timeout; one that is still running this much
# later (C code holding the GIL, or it caught TaskTimeout) has its worker process killed.
TIMEOUT_GRACE_US = 1000000
# Backends whose tasks run on threads of the runner itself: a timed-out task there ends the run.
IN_PROCESS_BACKENDS = ('py-thread', 'py-thread-ft')
# Last resort where tasks share the runner's interpreter: if the watchdog thread itself cannot run this
# long after the timeout (a task holds the GIL in C code), faulthandler's own C thread — which needs no
# GIL — dumps every thread's stack to stderr, headed "Timeout (h:mm:ss)!", and exits the process;
# python-run.ts reports that as TaskTimeout.
GIL_BACKSTOP_S = 2.0


class LoadError(Exception):
    """The user's file or function could not be loaded; `error` is the trace TaskError."""

    def __init__(self, error):
        super().__init__(error['message'])
        self.error = error


def gil_label():
    is_enabled = getattr(sys, '_is_gil_enabled', None)
    if is_enabled is None:
        return 'GIL enabled'
    return 'GIL enabled' if is_enabled() else 'free-threaded (GIL disabled)'


def python_version():
    return 'Python %d.%d.%d' % sys.version_info[:3] + (' free-threaded' if not _gil_enabled() else '')


def _gil_enabled():
    is_enabled = getattr(sys, '_is_gil_enabled', None)
    return True if is_enabled is None else bool(is_enabled())


def module_name_for(file):
    stem = os.path.splitext(os.path.basename(file))[0]
    if stem.isidentifier() and stem not in sys.modules and stem not in sys.builtin_module_names \
            and not stem.startswith('poolscope'):
        return stem
    return '__poolscope_user__'


def load_user_function(file, fn_name):
    name = module_name_for(file)
    try:
        module = worker.load_module(file, name)
    except SyntaxError as e:
        raise LoadError({'name': 'SyntaxError', 'message': str(e.msg), 'stack': ''.join(
            traceback.format_exception_only(type(e), e)),
            'data': {'file': e.filename or file, 'line': e.lineno or 1, 'column': e.offset or 1}})
    except BaseException as e:
        raise LoadError(worker.error_info(e, file))
    fn = getattr(module, fn_name, None)
    if fn is None:
        raise LoadError({'name': 'FunctionNotFound',
                         'message': '%s has no top-level function %r' % (os.path.basename(file), fn_name),
                         'data': {'file': file}})
    if not callable(fn):
        raise LoadError({'name': 'NotAFunction', 'message': '%r in %s is a %s, not a function' % (
            fn_name, os.path.basename(file), type(fn).__name__), 'data': {'file': file}})
    if getattr(fn, '__qualname__', fn_name) != fn_name and '<locals>' in getattr(fn, '__qualname__', ''):
        raise LoadError({'name': 'NotTopLevel', 'message': '%r is not a top-level function: process pools '
                         'send functions by reference (pickle), so it must be defined at module level'
                         % fn_name, 'data': {'file': file}})
    return name, fn


class TimeoutWatchdog:
    """--timeout for Python tasks, from a thread of the runner (it needs the GIL for a moment every poll).

    - process pools (py-process, py-mp-pool) and py-serial: the task is stopped by SIGALRM in its own
      process at the timeout (poolscope_worker._arm_timeout); if it still runs TIMEOUT_GRACE_US later,
      a worker process is killed (the pool replaces it) and py-serial ends the run;
    - threads (py-thread, py-thread-ft, and every task of file mode): a Python thread cannot be stopped,
      so at the timeout the task fails with TaskTimeout, every other open task with PoolTerminated,
      and the run ends, saying why.
    """

    def __init__(self, hub, timeout_ms, backend, end_run):
        self.hub = hub
        self.timeout_ms = timeout_ms
        self.backend = backend
        self.end_run = end_run
        self.killed = {}  # taskId -> pid of the worker process killed for it
        self.tasks_running = False  # fn mode, from the first task to the last (for the GIL backstop)
        self._thread = threading.Thread(target=self._loop, name='poolscope-timeout', daemon=True)

    def start(self):
        self._thread.start()

    def backstop_s(self):
        """Seconds the watchdog may go without running before faulthandler ends the runner (None: no backstop)."""
        if self.backend in IN_PROCESS_BACKENDS or self.backend == 'py-serial':
            return self.timeout_ms / 1000.0 + TIMEOUT_GRACE_US / 1e6 + GIL_BACKSTOP_S
        return None

    def begin_tasks(self):
        """fn mode is about to run tasks: arm the GIL backstop now (the first task may hold the GIL at once)."""
        self.tasks_running = True
        if self.backstop_s() is not None:
            faulthandler.dump_traceback_later(self.backstop_s(), exit=True)

    def killed_pids(self):
        return set(self.killed.values())

    def _loop(self):
        period = min(POLL_S, self.timeout_ms / 4000.0)
        timeout_us = self.timeout_ms * 1000
        threads = self.backend in IN_PROCESS_BACKENDS or self.backend == 'file'
        backstop = self.backstop_s()
        while True:
            if backstop is not None and self.tasks_running:
                # Re-armed every tick: it fires only when this thread has not run for `backstop` seconds,
                # while fn mode runs tasks (no task may hold the GIL longer than the timeout).
                faulthandler.dump_traceback_later(backstop, exit=True)
            time.sleep(period)
            now = worker.now_us()
            for task, (pid, _tid, at) in self.hub.started().items():
                over = now - at
                if threads and over > timeout_us and self.backend == 'file':
                    self._end(task, pid, 'it runs in a pool of the script itself (file mode), where PoolScope '
                              'cannot stop one task, so the run was ended')
                elif threads and over > timeout_us:
                    self._end(task, pid, 'it runs on a thread of the Python runner (%s), and a Python thread '
                              'cannot be stopped, so the run was ended (py-process or py-mp-pool stop just the task)'
                              % self.backend)
                elif not threads and over > timeout_us + TIMEOUT_GRACE_US and task not in self.killed:
                    if self.backend == 'py-serial':
                        self._end(task, pid, 'it did not stop at the timeout (C code holding the GIL, or it caught '
                                  'TaskTimeout) and py-serial runs it on the runner\'s own thread, so the run was ended')
                    else:
                        self._kill_worker(task, pid)

    def _timeout_error(self, task, pid, why):
        return {'name': 'TaskTimeout', 'message': 'task %d ran longer than the %d ms timeout; %s'
                % (task, self.timeout_ms, why), 'data': {'timeoutMs': self.timeout_ms, 'pid': pid, 'taskId': task}}

    def _kill_worker(self, task, pid):
        self.killed[task] = pid
        # The verdict first, through the hub like every report: the worker's death is not a crash.
        self.hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(), 'error': self._timeout_error(
            task, pid, 'it did not stop at the timeout (C code holding the GIL, or it caught TaskTimeout), so its '
            'worker process (pid %d) was killed and replaced' % pid)})
        self.hub.barrier()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass

    def _end(self, task, pid, why):
        faulthandler.cancel_dump_traceback_later()
        error = self._timeout_error(task, pid, why)
        self.hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(), 'error': error})
        for other in self.hub.open_tasks():
            if other != task:
                self.hub.post({'k': 'settle', 'task': other, 'ok': False, 'at': worker.now_us(), 'error': {
                    'name': 'PoolTerminated', 'message': 'the run was ended because task %d timed out: %s' % (task, why)}})
        self.end_run({'name': 'TaskTimeout', 'message': error['message'], 'data': error['data']})


class FnRun:
    """fn mode: call one top-level function over a list of argument lists, through the chosen pool."""

    def __init__(self, request, hub, watchdog=None):
        self.req = request
        self.hub = hub
        self.watchdog = watchdog
        self.timeout_ms = int(request.get('timeout') or 0)
        self.file = os.path.abspath(request['file'])
        self.fn_name = request['fn']
        self.inputs = request.get('inputs') or []
        self.workers = max(1, int(request.get('workers') or os.cpu_count() or 1))
        # Per process worker (py-process, py-mp-pool): see poolscope_worker.limit_memory.
        self.max_memory_mb = int(request.get('maxMemoryMb') or 0) or None
        self.backend = request['backend']
        self.born = worker.now_us()
        self.processes = {}  # pid -> multiprocessing Process, kept after the pool forgets them
        self._queued = False
        self.crashed = {}    # pid -> exitcode, workers that died during the run

    def run(self):
        module_name, fn = load_user_function(self.file, self.fn_name)
        os.environ[worker.USER_FILE_ENV] = self.file
        self.fnref = worker.FnRef(self.file, module_name, self.fn_name)
        self.fn = fn
        if self.watchdog:
            self.watchdog.begin_tasks()
        try:
            self._dispatch(module_name)
        finally:
            if self.watchdog:
                self.watchdog.tasks_running = False
                faulthandler.cancel_dump_traceback_later()

    def post_queued(self):
        """Report every input as queued: the task phase starts here, so each backend calls it once its pool is warm."""
        if self._queued:
            return
        self._queued = True
        for i, args in enumerate(self.inputs):
            self.hub.post({'k': 'tq', 'task': i + 1, 'fn': self.fn_name, 'preview': worker.args_preview(args),
                           'at': worker.now_us()})

    def _warm(self, submit, expected):
        """Start the pool's workers before the timed task phase, as the Node runner does: `expected` warm-up
        calls (no task events; each worker announces itself and loads the user's module), then, briefly, any
        worker that got no call is waited for. A warm-up that fails or times out ends the wait: the tasks
        report what is wrong with the pool."""
        calls = []
        for _ in range(expected):
            try:
                calls.append(submit())
            except Exception:
                return
        deadline = time.monotonic() + WARM_UP_S
        for call in calls:
            try:
                call(max(0.0, deadline - time.monotonic()))
            except Exception:
                return
        until = min(deadline, time.monotonic() + STRAGGLER_S)
        while True:
            self.hub.barrier(1.0)
            if len(self.hub.worker_keys()) >= expected or time.monotonic() >= until:
                return
            time.sleep(0.01)

    def _dispatch(self, module_name):
        if self.backend == 'py-serial':
            self._serial()
        elif self.backend in ('py-thread', 'py-thread-ft'):
            self._threads()
        elif self.backend == 'py-process':
            self._process_pool_executor()
        elif self.backend == 'py-mp-pool':
            self._mp_pool()
        elif self.backend == 'py-dask':
            self._dask(module_name)
        else:
            raise LoadError({'name': 'UnknownBackend', 'message': 'unknown Python backend %r' % self.backend})

    def _dask(self, module_name):
        import poolscope_dask
        try:
            poolscope_dask.DaskRun(self, self.fn, sys.modules[module_name]).execute()
        except poolscope_dask.DaskUnavailable as e:
            raise LoadError({'name': 'DaskNotInstalled', 'message': str(e)})
        except OSError as e:
            # An unreachable --scheduler: say which address and why, not a traceback from the event loop.
            if self.req.get('scheduler'):
                raise LoadError({'name': 'DaskSchedulerUnreachable', 'message': 'could not reach the Dask scheduler at %s: %s'
                                 % (self.req['scheduler'], e)})
            raise

    def _meta(self, i, check_pickle=False):
        # contain: KeyboardInterrupt / SystemExit in a task fail that task only (see TaskRaisedBaseException).
        return {'task': i + 1, 'born': self.born, 'checkPickle': check_pickle, 'contain': True,
                'timeoutMs': self.timeout_ms or None}

    def _killed_for_timeout(self):
        return self.watchdog.killed_pids() if self.watchdog else set()

    def _serial(self):
        worker.init_worker(self.born, self.file)
        self.post_queued()
        for i, args in enumerate(self.inputs):
            try:
                worker.traced_call(self._meta(i), self.fn, *args)
            except BaseException:
                pass  # reported by traced_call; the next task still runs, like a pool would
        self.hub.post({'k': 'wx', 'pid': os.getpid(), 'tid': threading.get_native_id(), 'code': 0,
                       'signal': None, 'reason': 'idle', 'at': worker.now_us()})

    def _threads(self):
        ex = cf.ThreadPoolExecutor(self.workers, initializer=worker.init_worker, initargs=(self.born, self.file))
        # Every thread started before the task phase: warm-up calls that wait for each other, so none is reused.
        n = min(self.workers, max(1, len(self.inputs)))
        together = threading.Barrier(n)
        self._warm(lambda: ex.submit(worker.warm_up, None, together).result, n)
        self.post_queued()
        futures = {ex.submit(worker.traced_call, self._meta(i), self.fn, *args): i + 1
                   for i, args in enumerate(self.inputs)}
        self._settle_futures(futures, None)
        ex.shutdown(wait=True)
        at = worker.now_us()
        for pid, tid in self.hub.worker_keys():
            self.hub.post({'k': 'wx', 'pid': pid, 'tid': tid, 'code': 0, 'signal': None, 'reason': 'idle',
                           'at': at})

    def _context(self):
        return multiprocessing.get_context(self.req.get('startMethod') or None)

    def _process_pool_executor(self):
        batch = list(enumerate(self.inputs))
        while batch:
            ex = cf.ProcessPoolExecutor(self.workers, mp_context=self._context(), initializer=worker.init_worker,
                                        initargs=(self.born, self.file, self.max_memory_mb))
            processes = lambda: dict(getattr(ex, '_processes', None) or {})  # noqa: E731
            if not self._queued:
                # The first executor's worker processes start (and load the user's module) before the task phase.
                self._warm(lambda: ex.submit(worker.warm_up, self.fnref, None, HOLD_S).result, min(self.workers, max(1, len(batch))))
                self._watch_processes(processes)
                self.post_queued()
            futures = {}
            for i, args in batch:
                futures[ex.submit(worker.traced_call, self._meta(i, True), self.fnref, *args)] = i + 1
                # Remember the workers at once: a pool that breaks forgets them before the next poll.
                self._watch_processes(processes)
            retry = []
            self._settle_futures(futures, processes, retry)
            try:
                ex.shutdown(wait=True, cancel_futures=True)
            except TypeError:  # Python 3.8: no cancel_futures
                ex.shutdown(wait=True)
            # A worker killed for a timeout breaks a ProcessPoolExecutor: the tasks it had not started
            # yet run once on a fresh one.
            batch = [(task - 1, self.inputs[task - 1]) for task in retry]
        self._report_process_exits()

    def _mp_pool(self):
        pool = self._context().Pool(self.workers, initializer=worker.init_worker,
                                    initargs=(self.born, self.file, self.max_memory_mb))
        # multiprocessing.Pool starts every worker at once; wait for them (and their module) before the task phase.
        self._warm(lambda: pool.apply_async(worker.warm_up, (self.fnref, None, HOLD_S)).get, min(self.workers, max(1, len(self.inputs))))
        self._watch_processes(lambda: {p.pid: p for p in list(getattr(pool, '_pool', []) or [])})
        self.post_queued()
        results = {i + 1: pool.apply_async(worker.traced_call, (self._meta(i, True), self.fnref) + tuple(args))
                   for i, args in enumerate(self.inputs)}
        pending = dict(results)
        lost = False
        while pending:
            if self.watchdog:
                # A task whose worker was killed for its timeout never returns: multiprocessing.Pool
                # has already replaced the worker; the task is settled (TaskTimeout).
                for task in list(self.watchdog.killed):
                    if task in pending:
                        del pending[task]
                        lost = True
            for task, r in list(pending.items()):
                if r.ready():
                    del pending[task]
                    if not r.successful():
                        try:
                            r.get(0)
                        except BaseException as e:
                            self._settle(task, e)
            self._watch_processes(lambda: {p.pid: p for p in list(getattr(pool, '_pool', []) or [])})
            for pid in list(self.crashed):
                # multiprocessing.Pool never fails a task whose worker died: it would wait forever.
                # PoolScope fails it, by name, and says why.
                self.hub.barrier()
                for task in self.hub.running_on(pid):
                    if task in pending:
                        del pending[task]
                        lost = True
                        self._post_crash(task, pid, 'WorkerCrashed',
                                         'multiprocessing.Pool worker (pid %d) died while running this task '
                                         '(exit code %s); multiprocessing.Pool itself would wait forever here'
                                         % (pid, self.crashed[pid]))
            if pending:
                next(iter(pending.values())).wait(POLL_S)
        if lost:
            pool.terminate()  # close()+join() would wait for the lost result forever
        else:
            pool.close()
        pool.join()
        self._report_process_exits()

    def _post_crash(self, task, pid, name, message):
        code = self.crashed.get(pid)
        self.hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(), 'error': {
            'name': name, 'message': message,
            'data': {'pid': pid, 'exitCode': code, 'signal': signal_name(code)}}})

    def _watch_processes(self, current):
        for pid, p in list(current().items()):
            self.processes.setdefault(pid, p)
        for pid, p in self.processes.items():
            code = p.exitcode
            # SIGTERM is how a pool stops its own workers (e.g. the survivors of a broken executor);
            # any other death — a signal, os._exit, a segfault — is a crash.
            if code is not None and code not in (0, -signal.SIGTERM) and pid not in self.crashed:
                self.crashed[pid] = code

    def _settle_futures(self, futures, processes, retry=None):
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
            if processes is not None:
                self._watch_processes(processes)
            for f in done:
                if f.cancelled():
                    self.hub.post({'k': 'settle', 'task': futures[f], 'ok': False, 'at': worker.now_us(),
                                   'error': {'name': 'CancelledError', 'message': 'cancelled before it started'}})
                    continue
                e = f.exception()
                if e is not None:
                    self._settle(futures[f], e, retry)

    def _settle(self, task, exc, retry=None):
        """A task whose future failed: reported by the worker already, unless the pool broke under it."""
        error = worker.error_info(exc, self.file)
        killed = self._killed_for_timeout()
        if type(exc).__name__ == 'BrokenProcessPool' and killed and retry is not None:
            self.hub.barrier()
            if self.hub.has_ended(task):
                return
            if task not in self.hub.started():
                retry.append(task)  # never started: it runs on the next executor
                return
            error['message'] = ('ProcessPoolExecutor stopped this task\'s worker when PoolScope killed worker '
                                'process %s for another task\'s timeout (a ProcessPoolExecutor cannot lose one '
                                'worker without stopping them all)' % ', '.join(str(p) for p in sorted(killed)))
        if type(exc).__name__ == 'BrokenProcessPool':
            # The executor's own thread may be reaping the dead worker right now (its exit code is
            # briefly unreadable from here): give it a moment to say which worker died.
            for _ in range(40):
                self._watch_processes(dict)
                if self.crashed:
                    break
                time.sleep(0.025)
            self.hub.barrier()
            for pid, code in self.crashed.items():
                if task in self.hub.running_on(pid):
                    error['data'].update({'pid': pid, 'exitCode': code, 'signal': signal_name(code)})
        self.hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(), 'error': error})

    def _report_process_exits(self):
        at = worker.now_us()
        for pid, p in self.processes.items():
            p.join(5)
            code = p.exitcode
            if pid in self._killed_for_timeout():
                reason = 'timeout'
            elif pid in self.crashed:
                reason = 'crash'
            elif code == 0:
                reason = 'idle'
            else:
                reason = 'killed'  # stopped by its pool (e.g. after another worker broke it)
            self.hub.post({'k': 'wx', 'pid': pid, 'tid': None, 'code': code if code is None or code >= 0 else None,
                           'signal': signal_name(code), 'reason': reason, 'at': at})


def run_file(request, hub):
    """file mode: run a script the way `python file.py` would, with its pools instrumented."""
    import runpy
    import poolscope_instrument
    file = os.path.abspath(request['file'])
    os.environ[worker.USER_FILE_ENV] = file
    try:
        with open(file, encoding='utf-8') as f:
            source = f.read()
        compile(source, file, 'exec')
    except SyntaxError as e:
        raise LoadError({'name': 'SyntaxError', 'message': str(e.msg), 'stack': ''.join(
            traceback.format_exception_only(type(e), e)),
            'data': {'file': e.filename or file, 'line': e.lineno or 1, 'column': e.offset or 1}})
    except OSError as e:
        raise LoadError({'name': type(e).__name__, 'message': str(e), 'data': {'file': file}})
    poolscope_instrument.install(hub, file)
    sys.path.insert(0, os.path.dirname(file))
    sys.argv = [file]
    has_guard = re.search(r'''^if\s+__name__\s*==\s*['"]__main__['"]\s*:''', source, re.M) is not None
    calls_main = re.search(r'^main\(\s*\)', source, re.M) is not None
    namespace = runpy.run_path(file, run_name='__main__')
    if not has_guard and not calls_main and callable(namespace.get('main')):
        namespace['main']()


def watch_parent():
    """Stdin EOF means the parent (the Node runner) is gone: take the whole process group down."""
    def wait_for_eof():
        # The raw fd, not sys.stdin: a forked child closes sys.stdin, and would deadlock on the
        # buffered reader's lock if this thread held it at fork time.
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        kill_process_tree()
    threading.Thread(target=wait_for_eof, name='poolscope-parent-watch', daemon=True).start()


def kill_process_tree():
    for child in multiprocessing.active_children():
        try:
            child.kill()
        except Exception:
            pass
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)  # we lead our group (spawned detached): takes every descendant
    os._exit(137)


def too_old(events_fd, origin, request):
    """Say so by name instead of failing somewhere inside the standard library."""
    t = worker.now_us() - origin
    message = 'PoolScope needs Python %d.%d or newer; %s is %s' % (MIN_PYTHON + (sys.executable, sys.version.split()[0]))
    events = [{'type': 'run-start', 't': t, 'backend': request.get('backend', 'py-serial'), 'workers': 1,
               'file': request.get('file', ''), 'inputsCount': 0, 'node': python_version(), 'pid': os.getpid(),
               'originUs': origin, 'label': gil_label()},
              {'type': 'run-end', 't': t, 'stats': {'tasks': 0, 'ok': 0, 'failed': 0, 'taskUs': 0, 'pids': [],
                                                     'threadIds': [], 'workersStarted': 0, 'wallUs': 0},
               'error': {'name': 'PythonTooOld', 'message': message, 'data': {'load': True}}}]
    os.write(events_fd, ''.join(json.dumps(e) + '\n' for e in events).encode('utf-8'))
    os._exit(1)


def read_request_line():
    data = b''
    while not data.endswith(b'\n'):
        chunk = os.read(0, 1)  # byte by byte: nothing after the line may be consumed here
        if not chunk:
            break
        data += chunk
    return data.decode('utf-8')


def main():
    request = json.loads(read_request_line())
    sys.stdin = open(os.devnull)  # stdin is PoolScope's control pipe, not the user's input
    os.environ[worker.RUNNER_PID_ENV] = str(os.getpid())
    os.environ['POOLSCOPE_BACKEND'] = request.get('backend', 'py-thread')
    events_fd = int(request.get('eventsFd', EVENTS_FD))
    origin = int(request.get('originUs') or worker.now_us())
    watch_parent()
    if sys.version_info < MIN_PYTHON:
        too_old(events_fd, origin, request)
    hub = EventHub(events_fd, origin)
    mode = request.get('mode', 'fn')
    run_start = {'type': 'run-start', 't': worker.now_us() - origin, 'backend': request['backend'],
                 'workers': 1 if request['backend'] == 'py-serial' else int(request.get('workers') or 1), 'file': os.path.abspath(request['file']),
                 'inputsCount': len(request.get('inputs') or []), 'node': python_version(), 'pid': os.getpid(),
                 'originUs': origin,
                 'label': '%s · %s' % (request['label'], gil_label()) if request.get('label') else gil_label()}
    # Structured, besides the label: False only on a free-threaded CPython running without its GIL.
    run_start['gil'] = _gil_enabled()
    if mode == 'fn':
        run_start['fn'] = request['fn']
    if request.get('compareId'):
        run_start['compareId'] = request['compareId']
    hub.emit(run_start)
    hub.flush()  # run-start first, before any output of the user's code
    hub.start()
    ending = threading.Lock()  # the main thread or the timeout watchdog ends the run, once

    def finish(error):
        ending.acquire()  # never released: whoever comes second waits here until the process exits
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()  # the script's last prints are written before run-end
            except Exception:
                pass
        hub.close()
        stats = dict(hub.stats)
        at = worker.now_us()
        stats['wallUs'] = at - origin - run_start['t']
        run_end = {'type': 'run-end', 't': at - origin, 'stats': stats}
        if error is not None:
            run_end['error'] = error
        hub.emit(run_end)
        hub.flush()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        for child in multiprocessing.active_children():
            try:
                child.kill()  # a script that left pool workers running must not leave them behind
            except Exception:
                pass
        os._exit(1 if error is not None else 0)

    timeout_ms = int(request.get('timeout') or 0)
    watchdog = None
    # py-dask reports a task only once it has ended (from the scheduler's task stream): no timeout there.
    if timeout_ms > 0 and (mode == 'file' or request['backend'] != 'py-dask'):
        watchdog = TimeoutWatchdog(hub, timeout_ms, 'file' if mode == 'file' else request['backend'], finish)
        watchdog.start()
    error = None
    try:
        if mode == 'file':
            run_file(request, hub)
        else:
            FnRun(request, hub, watchdog).run()
    except LoadError as e:
        error = e.error
        error.setdefault('data', {})['load'] = True
    except SystemExit as e:
        if e.code not in (None, 0):
            error = {'name': 'SystemExit', 'message': 'the script exited with %r' % (e.code,)}
    except BaseException as e:
        error = worker.error_info(e, os.environ.get(worker.USER_FILE_ENV))
        sys.stderr.write(error.get('stack', ''))
    finish(error)


if __name__ == '__main__':
    main()
