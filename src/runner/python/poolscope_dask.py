"""py-dask: a user's .py function run as Dask futures on a real Dask distributed cluster.

By default PoolScope starts a ``LocalCluster`` for the run (``workers`` worker
processes, ``threadsPerWorker`` threads each) and closes it afterwards; with a
``scheduler`` address (``tcp://host:port``) it uses an existing cluster, which
may span other machines, and leaves it running.

Per-task times come from Dask itself: the scheduler's task stream, whose
``startstops`` (transfer, deserialize, compute …) are on the scheduler's clock
(workers correct their own clock by the delay Dask measures). They are mapped
onto the run's clock with one offset, estimated from a round trip to the
scheduler and reported as a log line. Where a task ran (PID, OS thread id,
thread name) and its CPU time are measured inside the worker by a thin wrapper
that returns them next to the result, so lanes are host → worker process →
thread, as with every other backend. The user's function and the wrapper
travel by value (cloudpickle), so a remote worker needs neither file.
"""

import os
import socket
import sys
import threading
import time
import traceback

import poolscope_worker as worker

POLL_S = 0.05
# While local workers' task threads are still unknown, look for them this often (they appear with their first task),
# for at most DISCOVER_FOR_S after the cluster is up (a Dask that names them otherwise is not polled forever).
DISCOVER_S = 0.1
DISCOVER_FOR_S = 60
# How long a finished task may wait for its task-stream record before it is reported without times.
RECORD_WAIT_S = 3.0
INSTALL_HINT = ('Dask distributed is not installed for %s. Install it (Debian/Ubuntu: apt-get install '
                'python3-distributed; elsewhere: python -m pip install "dask[distributed]") or point --python '
                '(the poolscope.pythonPath setting) at an interpreter that has it.')


class DaskUnavailable(Exception):
    pass


def _identity_call(fn, args):
    """Runs in a Dask worker thread: the user's call, plus where and how long it ran."""
    import os as _os
    import threading as _threading
    import time as _time
    import socket as _socket
    cpu0 = _time.thread_time_ns()
    value = fn(*args)
    if hasattr(value, '__await__'):
        import asyncio as _asyncio
        value = _asyncio.run(value)
    thread = _threading.current_thread()
    return {'poolscope': 1, 'value': value, 'pid': _os.getpid(), 'tid': _threading.get_native_id(),
            'ident': _threading.get_ident(), 'thread': thread.name, 'host': _socket.gethostname(),
            'cpu': (_time.thread_time_ns() - cpu0) // 1000}


class DaskRun:
    def __init__(self, fn_run, fn, module):
        self.run = fn_run
        self.hub = fn_run.hub
        self.fn = fn
        self.module = module
        req = fn_run.req
        self.scheduler = req.get('scheduler') or None
        self.threads_per_worker = max(1, int(req.get('threadsPerWorker') or 1))
        self.lanes = {}        # (host, pid, tid) -> True once announced
        self.by_ident = {}     # (worker address, thread ident) -> (host, pid, tid, name)
        self.worker_pids = {}  # worker address -> pid
        self.offset_us = 0.0   # scheduler epoch µs − runner monotonic µs
        self.local_hosts = {'127.0.0.1', 'localhost', '::1', socket.gethostname()}
        try:
            self.local_hosts.update(socket.gethostbyname_ex(socket.gethostname())[2])
        except OSError:
            pass

    def execute(self):
        try:
            import cloudpickle
            from distributed import Client, LocalCluster, wait
        except ImportError as e:
            raise DaskUnavailable(INSTALL_HINT % sys.executable + ' (%s)' % e)
        import logging
        logging.getLogger('distributed').setLevel(logging.ERROR)
        # Ship the user's module and our wrapper by value: remote workers have neither file.
        cloudpickle.register_pickle_by_value(self.module)
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        born = worker.now_us()
        cluster = None
        if self.scheduler:
            client = Client(self.scheduler, timeout='20s')
            where = 'the Dask cluster at %s' % self.scheduler
        else:
            cluster = LocalCluster(n_workers=self.run.workers, threads_per_worker=self.threads_per_worker,
                                   processes=True, dashboard_address=None, silence_logs=40)
            client = Client(cluster)
            where = 'a LocalCluster of %d worker process%s × %d thread%s' % (
                self.run.workers, '' if self.run.workers == 1 else 'es', self.threads_per_worker,
                '' if self.threads_per_worker == 1 else 's')
        try:
            self._run_on(client, wait, born, where)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _measure_offset(self, client):
        best = None
        for _ in range(5):
            t0 = worker.now_us()
            remote = client.run_on_scheduler(time.time)
            t1 = worker.now_us()
            rtt = t1 - t0
            if best is None or rtt < best[1]:
                best = (remote * 1e6 - (t0 + t1) / 2, rtt)
        self.offset_us = best[0]
        return best[1]

    def _run_on(self, client, wait, born, where):
        self.client = client
        client.get_task_stream(start=time.time())  # registers the scheduler's task-stream plugin before any task
        rtt = self._measure_offset(client)
        info = client.scheduler_info().get('workers', {})
        try:
            self.worker_pids = client.run(os.getpid)
        except Exception:
            self.worker_pids = {}
        self.known_workers = set(info)
        try:
            import dask
            self.allowed_failures = dask.config.get('distributed.scheduler.allowed-failures')
        except Exception:
            self.allowed_failures = 3
        ready = worker.now_us()
        hosts = sorted({w.get('host', '?') for w in info.values()})
        self.hub.post({'k': 'lg', 'task': None, 'pid': None, 'tid': None, 'stream': 'stderr', 'at': ready,
                       'text': 'py-dask: %s (%d worker%s on %d host%s: %s), up in %.1f s; scheduler clock offset '
                               'measured ±%.0f µs\n' % (where, len(info), '' if len(info) == 1 else 's', len(hosts),
                                                       '' if len(hosts) == 1 else 's', ', '.join(hosts),
                                                       (ready - born) / 1e6, rtt / 2)})
        self.born = born
        # The engine is ready: scheduler and workers up, clock measured. Only now are the tasks queued and
        # sent, so the task phase starts here and the cluster's start-up counts only "with start-up".
        self.ready = ready
        self.initial_workers = set(info)
        self.run.post_queued()
        keys = {}
        futures = []
        for i, args in enumerate(self.run.inputs):
            f = client.submit(_identity_call, self.fn, list(args), key='%s-poolscope-%d-%d' % (
                self.run.fn_name, os.getpid(), i + 1), pure=False, retries=0)
            keys[f.key] = (i + 1, f)
            futures.append(f)
        pending = dict(keys)   # key -> (task, future), not finished yet
        finished = {}          # key -> (task, future, when), waiting for the scheduler's task-stream record
        since = self._scheduler_now() - 60
        self.discovering = any(self._host(a) is None for a in self.initial_workers)
        while pending or finished:
            if not finished:
                try:
                    wait([f for _, f in pending.values()], return_when='FIRST_COMPLETED',
                         timeout=DISCOVER_S if self.discovering else None)
                except Exception:
                    pass  # the discovery timeout: nothing finished yet
            if self.discovering:
                self._discover_lanes(client)
            now = time.monotonic()
            for key, (task, f) in list(pending.items()):
                if f.done():
                    finished[key] = (task, f, now)
                    del pending[key]
            polled = self._scheduler_now()
            by_key = {str(r.get('key')): r for r in (client.get_task_stream(start=since) or ())}
            for key, (task, f, when) in list(finished.items()):
                record = by_key.get(key)
                # A task Dask never ran to completion (its worker died, it was cancelled) gets no record.
                if record is None and now - when < RECORD_WAIT_S:
                    continue
                del finished[key]
                self._report(task, f, record)
            self._watch_workers(client)
            # Records come sorted by stop time: anything not yet matched ended after the previous poll.
            since = polled - 5
            if finished:
                time.sleep(POLL_S)

    def _discover_lanes(self, client):
        """Announces this machine's workers' task threads as soon as they exist (they start with their first task),
        so the /proc sampler follows them from then on instead of from the first task's record, which comes only
        once the task has ended. Stops once every local worker shows as many task threads as it has."""
        local = [a for a in sorted(self.known_workers) if self._host(a) is None]
        try:
            found = client.run(_threads_by_ident, workers=local) if local else {}
        except Exception:
            found = {}
        at = worker.now_us()
        complete = True
        for address in local:
            threads = [(ident, info) for ident, info in (found.get(address) or {}).items() if _is_task_thread(info[2])]
            for ident, (pid, tid, thread_name) in threads:
                name = '%s · %s' % (address, thread_name)
                self.by_ident.setdefault((address, ident), (pid, tid, name))
                self._lane(None, pid, tid, name, at, address)
            if len(threads) < self.threads_per_worker:
                complete = False
        if complete or at - self.ready > DISCOVER_FOR_S * 1e6:
            self.discovering = False

    def _thread_of(self, address, ident):
        """(pid, native tid, lane name) of a worker thread no successful task has shown yet."""
        try:
            found = self.client.run(_threads_by_ident, workers=[address]).get(address, {})
        except Exception:
            found = {}
        for known_ident, (pid, tid, thread_name) in found.items():
            self.by_ident.setdefault((address, known_ident), (pid, tid, '%s · %s' % (address, thread_name)))
        return self.by_ident.get((address, ident)) or (
            self.worker_pids.get(address, 0), ident or 0, '%s · thread %s' % (address or '?', ident))

    def _watch_workers(self, client):
        """A worker that left the cluster mid-run: its lanes end as crashed; Dask itself retries its tasks."""
        try:
            current = set(client.run_on_scheduler(_worker_addresses))
        except Exception:
            return
        for address in sorted(self.known_workers - current):
            pid = self.worker_pids.get(address)
            self.hub.post({'k': 'lg', 'task': None, 'pid': None, 'tid': None, 'stream': 'stderr', 'at': worker.now_us(),
                           'text': 'py-dask: worker %s (pid %s) left the cluster; Dask reschedules its tasks on other '
                                   'workers and fails a task with KilledWorker after %s such losses '
                                   '(distributed.scheduler.allowed-failures)\n' % (address, pid, self.allowed_failures)})
            if pid is not None:
                self.hub.post({'k': 'wx', 'pid': pid, 'tid': None, 'code': None, 'signal': None, 'reason': 'crash',
                               'at': worker.now_us()})
        for address in sorted(current - self.known_workers):
            if address not in self.worker_pids:
                try:
                    self.worker_pids.update(client.run(os.getpid, workers=[address]))
                except Exception:
                    pass
        self.known_workers = current

    def _scheduler_now(self):
        """The scheduler's time.time() now, estimated from the measured offset."""
        return (worker.now_us() + self.offset_us) / 1e6

    def _host(self, address, worker_host=None):
        """The host to show, or None for this machine (its threads are the /proc sampler's to match)."""
        if worker_host is not None:
            return None if worker_host == socket.gethostname() else (_host_of(address) or worker_host)
        host = _host_of(address)
        return None if host in self.local_hosts else host

    def _mono(self, epoch_s):
        return int(epoch_s * 1e6 - self.offset_us)

    def _lane(self, host, pid, tid, name, at, address=None):
        key = (host, pid, tid)
        if key not in self.lanes:
            self.lanes[key] = True
            # A worker that was there when the cluster came up was ready then (its start-up: the cluster's);
            # one that joined later (a replacement) is shown from its first task, start-up unknown.
            initial = address in self.initial_workers
            self.hub.post({'k': 'ws', 'pid': pid, 'tid': tid, 'name': name, 'at': min(at, self.ready) if initial else at,
                           'born': self.born if initial else None, 'host': host})
        return key

    def _report(self, task, future, record):
        startstops = (record or {}).get('startstops') or []
        address = (record or {}).get('worker') or ''
        ident = (record or {}).get('thread')
        phases = [{'name': s['action'], 'start': self._mono(s['start']), 'end': self._mono(s['stop'])}
                  for s in startstops if 'start' in s and 'stop' in s]
        now = worker.now_us()
        start = min((p['start'] for p in phases), default=now)
        end = max((p['end'] for p in phases), default=now)
        host = self._host(address)
        if future.status == 'finished':
            out = future.result()
            host = self._host(address, out['host'])
            pid, tid, name = out['pid'], out['tid'], '%s · %s' % (address or out['host'], out['thread'])
            self.by_ident[(address, ident)] = (pid, tid, name)
            self._lane(host, pid, tid, name, start, address)
            self.hub.post({'k': 'ts', 'task': task, 'pid': pid, 'tid': tid, 'at': start, 'host': host})
            self.hub.post({'k': 'te', 'task': task, 'pid': pid, 'tid': tid, 'at': end, 'ok': True, 'host': host,
                           'preview': worker.preview(out['value']), 'cpu': out['cpu'], 'phases': phases})
            return
        exc = future.exception()
        tb = future.traceback()
        error = worker.error_info(exc.with_traceback(tb) if tb is not None else exc, self.run.file)
        if type(exc).__name__ == 'KilledWorker':
            error['data']['engine'] = 'Dask gave up on this task after its workers died while running it'
        pid, tid, name = self.by_ident.get((address, ident)) or self._thread_of(address, ident)
        if record is None:
            # Dask never ran it to a record (e.g. its worker died): no times to show but the failure.
            self.hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': now, 'error': error})
            return
        self._lane(host, pid, tid, name, start, address)
        self.hub.post({'k': 'ts', 'task': task, 'pid': pid, 'tid': tid, 'at': start, 'host': host})
        self.hub.post({'k': 'te', 'task': task, 'pid': pid, 'tid': tid, 'at': end, 'ok': False, 'host': host,
                       'error': error, 'phases': phases})


def _worker_addresses(dask_scheduler=None):
    """Runs on the scheduler: the addresses of the workers it has now."""
    return list(dask_scheduler.workers)


def _threads_by_ident():
    """Runs on a Dask worker: its threads' Python idents → (pid, native id, name)."""
    import os as _os
    import threading as _threading
    return {t.ident: (_os.getpid(), t.native_id, t.name) for t in _threading.enumerate()}


def _is_task_thread(name):
    """A Dask worker's executor thread (where tasks run), by the name Dask gives it."""
    return 'Dask-Default-Threads' in name


def _host_of(address):
    rest = address.split('://', 1)[-1]
    return rest.rsplit(':', 1)[0].strip('[]') if rest else None
