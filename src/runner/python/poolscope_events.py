"""The runner's event hub: the one place that turns worker reports into PoolScope trace events.

Workers (threads of the runner, forked or spawned children) and the runner itself
send small JSON datagrams to one Unix datagram socket. A single receiver thread
reads them in arrival order, assigns worker ids, converts absolute CLOCK_MONOTONIC
microseconds to run-relative `t`, keeps the run's statistics, and writes the
events as JSON lines, in batches, to the events fd (never stdout, which belongs
to the user's prints). Because everything — including the runner's own
"this task failed because its pool broke" — travels through the same socket,
a task's events always arrive in order: queued, start, log…, end.

The receiver blocks in recv() (no GIL held), so it does not perturb the GIL
picture of a thread-pool run: it wakes only when a report arrives.
"""

import json
import os
import signal
import socket
import threading
import uuid

from poolscope_worker import ADDR_ENV, now_us

# A datagram of at most this size is accepted (log chunks and tracebacks fit comfortably).
MAX_DATAGRAM = 256 * 1024
# Flush a batch after this many events even if more reports are waiting.
MAX_BATCH = 512


class EventHub:
    def __init__(self, out_fd, origin_us):
        self.origin_us = origin_us
        self._out_fd = out_fd
        self._buffer = []
        self._write_lock = threading.Lock()
        self._workers = {}        # (pid, tid) -> workerId
        self._worker_pids = {}    # pid -> [(pid, tid)]
        self._exited = set()      # workerIds that reported worker-exit
        self._running = {}        # taskId -> (pid, tid)
        self._ended = set()
        self._queued = []          # taskIds in queue order
        self._syncs = {}
        self._sync_lock = threading.Lock()
        self.stats = {'tasks': 0, 'ok': 0, 'failed': 0, 'taskUs': 0, 'pids': [], 'threadIds': [],
                      'workersStarted': 0}
        self._start_at = {}
        self._path = None  # a socket file to remove at close (no abstract namespace outside Linux)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        except OSError:
            pass
        name = 'poolscope-%d-%s' % (os.getpid(), uuid.uuid4().hex[:12])
        if hasattr(socket, 'AF_UNIX') and os.uname().sysname == 'Linux':
            self._sock.bind('\0' + name)
            self.addr = '@' + name
        else:
            import tempfile
            path = os.path.join(tempfile.gettempdir(), name + '.sock')
            self._sock.bind(path)
            self.addr = path
            self._path = path
        os.environ[ADDR_ENV] = self.addr
        self._thread = threading.Thread(target=self._receive, name='poolscope-events', daemon=True)

    # -- producing ----------------------------------------------------------------

    def emit(self, event):
        """Queue an already-built event (run-start / run-end; only while the receiver is not running)."""
        self._buffer.append(event)

    def start(self):
        self._thread.start()

    def post(self, message):
        """Send a report from the runner itself through the socket, so it is ordered with the workers' ones."""
        from poolscope_worker import send
        send(message)

    def barrier(self, timeout=5.0):
        """Wait until every report sent before this call has been processed."""
        key = uuid.uuid4().hex
        done = threading.Event()
        with self._sync_lock:
            self._syncs[key] = done
        self.post({'k': 'sync', 'id': key})
        done.wait(timeout)

    def close(self):
        """Process everything sent so far, stop the receiver, close still-open workers, flush."""
        self.post({'k': 'eof'})
        self._thread.join(10)
        at = now_us()
        for key, worker_id in list(self._workers.items()):
            if worker_id not in self._exited:
                self._exited.add(worker_id)
                self._buffer.append({'type': 'worker-exit', 't': self._t(at), 'workerId': worker_id,
                                     'code': None, 'signal': None, 'reason': 'idle'})
        self.flush()
        try:
            self._sock.close()
            if self._path:
                os.unlink(self._path)
        except OSError:
            pass

    # -- queries (main thread; call barrier() first for an exact answer) ----------

    def running_on(self, pid):
        """Tasks started but not ended on a worker process."""
        return [task for task, key in list(self._running.items()) if key[0] == pid]

    def started(self):
        """{taskId: (pid, tid, start µs)} of the tasks running now (as far as the receiver got)."""
        at = dict(self._start_at)
        return {task: key + (at[task],) for task, key in list(self._running.items()) if task in at}

    def open_tasks(self):
        """Tasks queued and not ended yet, in queue order."""
        ended = self._ended
        return [task for task in list(self._queued) if task not in ended]

    def has_ended(self, task):
        return task in self._ended

    def workers_of(self, pid):
        return list(self._worker_pids.get(pid, []))

    def worker_keys(self):
        return list(self._workers.keys())

    # -- the receiver ---------------------------------------------------------------

    def _receive(self):
        while True:
            try:
                data = self._sock.recv(MAX_DATAGRAM)
            except OSError:
                return
            stop = self._handle(data)
            # Drain whatever else is already waiting, then write it all as one batch.
            while not stop and len(self._buffer) < MAX_BATCH:
                try:
                    data = self._sock.recv(MAX_DATAGRAM, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    stop = True
                    break
                stop = self._handle(data)
            self.flush()
            if stop:
                return

    def _t(self, at):
        return at - self.origin_us

    def _worker(self, pid, tid, name=None, at=None, born=None, host=None):
        # A remote worker (distributed engines) is told apart by its host: PIDs repeat across machines.
        key = (pid, tid) if host is None else (host, pid, tid)
        worker_id = self._workers.get(key)
        if worker_id is not None:
            return worker_id
        worker_id = len(self._workers) + 1
        self._workers[key] = worker_id
        self._worker_pids.setdefault(pid, []).append(key)
        self.stats['workersStarted'] += 1
        if pid not in self.stats['pids']:
            self.stats['pids'].append(pid)
        if tid not in self.stats['threadIds']:
            self.stats['threadIds'].append(tid)
        at = at if at is not None else now_us()
        event = {'type': 'worker-start', 't': self._t(at), 'workerId': worker_id,
                 'name': name or 'worker-%d' % worker_id, 'pid': pid, 'threadId': tid,
                 'tid': tid, 'startupUs': max(0, at - born) if born else 0}
        if host is not None:
            event['host'] = host
            del event['tid']  # not a thread of this machine: the /proc sampler must not match it
        self._buffer.append(event)
        return worker_id

    def _handle(self, data):
        try:
            m = json.loads(data.decode('utf-8'))
        except ValueError:
            return False
        k = m.get('k')
        if k == 'tq':
            self.stats['tasks'] += 1
            self._queued.append(m['task'])
            self._buffer.append({'type': 'task-queued', 't': self._t(m['at']), 'taskId': m['task'],
                                 'fn': m['fn'], 'inputPreview': m['preview']})
        elif k == 'ws':
            self._worker(m['pid'], m['tid'], m.get('name'), m['at'], m.get('born'), m.get('host'))
        elif k == 'ts':
            worker_id = self._worker(m['pid'], m['tid'], at=m['at'], host=m.get('host'))
            self._running[m['task']] = (m['pid'], m['tid']) if m.get('host') is None else (m['host'], m['pid'], m['tid'])
            self._start_at[m['task']] = m['at']
            self._buffer.append({'type': 'task-start', 't': self._t(m['at']), 'taskId': m['task'],
                                 'workerId': worker_id})
        elif k == 'te' or k == 'settle':
            self._end(m)
        elif k == 'lg':
            event = {'type': 'log', 't': self._t(m['at']), 'stream': m['stream'], 'text': m['text']}
            if m.get('task') is not None:
                event['taskId'] = m['task']
            if m.get('pid') is not None:
                event['workerId'] = self._worker(m['pid'], m['tid'], at=m['at'])
            self._buffer.append(event)
        elif k == 'wx':
            for key in self._worker_pids.get(m['pid'], []):
                if m.get('tid') is not None and key[1] != m['tid']:
                    continue
                worker_id = self._workers[key]
                if worker_id in self._exited:
                    continue
                self._exited.add(worker_id)
                self._buffer.append({'type': 'worker-exit', 't': self._t(m['at']), 'workerId': worker_id,
                                     'code': m.get('code'), 'signal': m.get('signal'),
                                     'reason': m.get('reason', 'idle')})
        elif k == 'sync':
            with self._sync_lock:
                done = self._syncs.pop(m['id'], None)
            if done is not None:
                done.set()
        elif k == 'eof':
            return True
        return False

    def _end(self, m):
        task = m['task']
        if task in self._ended:
            return  # the worker already reported how it ended; the runner's view adds nothing
        self._ended.add(task)
        key = self._running.pop(task, None)
        if key is None and m.get('pid') is not None:
            key = (m['pid'], m['tid']) if m.get('host') is None else (m['host'], m['pid'], m['tid'])
        worker_id = self._workers.get(key, 0) if key else 0
        ok = bool(m.get('ok'))
        event = {'type': 'task-end', 't': self._t(m['at']), 'taskId': task, 'workerId': worker_id, 'ok': ok}
        if ok:
            event['resultPreview'] = m.get('preview', '')
            self.stats['ok'] += 1
        else:
            event['error'] = m.get('error') or {'name': 'Error', 'message': 'task failed'}
            self.stats['failed'] += 1
        if m.get('cpu') is not None:
            event['cpuUs'] = m['cpu']
        if m.get('phases'):
            event['phases'] = [{'name': p['name'], 'start': self._t(p['start']), 'end': self._t(p['end'])}
                               for p in m['phases']]
        started = self._start_at.pop(task, None)
        if started is not None:
            self.stats['taskUs'] += max(0, m['at'] - started)
        self._buffer.append(event)

    def flush(self):
        with self._write_lock:
            if not self._buffer:
                return
            batch, self._buffer = self._buffer, []
            data = ''.join(json.dumps(e, separators=(',', ':'), default=str) + '\n' for e in batch)
            payload = data.encode('utf-8')
            while payload:
                try:
                    n = os.write(self._out_fd, payload)
                except BrokenPipeError:
                    return  # the parent is gone; the watchdog ends the run
                payload = payload[n:]


def signal_name(exitcode):
    """A negative multiprocessing exit code is a signal number."""
    if exitcode is None or exitcode >= 0:
        return None
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return 'SIG%d' % -exitcode
