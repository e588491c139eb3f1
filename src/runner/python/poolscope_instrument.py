"""File mode: trace the pools a user's script creates itself, without changing what they do.

`concurrent.futures.ThreadPoolExecutor.submit` / `ProcessPoolExecutor.submit`
(and so `Executor.map`), and `multiprocessing.pool.Pool.apply_async` /
`map_async` / `map` / `starmap` (and so `apply`) are wrapped: each call becomes
one traced task (task-queued now; task-start/end/log from the worker via
`poolscope_worker.traced_call`). Results and exceptions pass through unchanged.
Not traced: `Pool.imap` / `imap_unordered` (they still run, untraced).
"""

import concurrent.futures as cf
import concurrent.futures.process
import concurrent.futures.thread
import itertools
import multiprocessing.pool as mp_pool
import threading

import poolscope_worker as worker

_ids = itertools.count(1)
_ids_lock = threading.Lock()


def _next_task():
    with _ids_lock:
        return next(_ids)


def _fn_name(fn):
    return getattr(fn, '__qualname__', None) or getattr(fn, '__name__', None) or type(fn).__name__


def install(hub, user_file):
    """Patch the pool classes in place (idempotent)."""
    if getattr(cf.ThreadPoolExecutor, '_poolscope', False):
        return

    def queued(task, fn, args, kwargs=None):
        hub.post({'k': 'tq', 'task': task, 'fn': _fn_name(fn), 'preview': worker.args_preview(args, kwargs),
                  'at': worker.now_us()})

    def settle_on_failure(task):
        def callback(future):
            if future.cancelled():
                hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(),
                          'error': {'name': 'CancelledError', 'message': 'cancelled before it started'}})
                return
            exc = future.exception()
            if exc is not None:  # ignored by the hub when the worker already reported this task's end
                hub.post({'k': 'settle', 'task': task, 'ok': False, 'at': worker.now_us(),
                          'error': worker.error_info(exc, user_file)})
        return callback

    def patch_executor(cls, check_pickle):
        original_init = cls.__init__
        original_submit = cls.submit

        def __init__(self, *args, **kwargs):
            self._poolscope_born = worker.now_us()
            original_init(self, *args, **kwargs)

        def submit(self, fn, /, *args, **kwargs):
            task = _next_task()
            queued(task, fn, args, kwargs)
            meta = {'task': task, 'born': getattr(self, '_poolscope_born', None), 'checkPickle': check_pickle}
            future = original_submit(self, worker.traced_call, meta, fn, *args, **kwargs)
            future.add_done_callback(settle_on_failure(task))
            return future

        submit.__doc__ = original_submit.__doc__
        cls.__init__ = __init__
        cls.submit = submit

    patch_executor(concurrent.futures.thread.ThreadPoolExecutor, False)
    patch_executor(concurrent.futures.process.ProcessPoolExecutor, True)

    Pool = mp_pool.Pool
    original_pool_init = Pool.__init__
    original_apply_async = Pool.apply_async
    original_map_async = Pool._map_async

    def pool_init(self, *args, **kwargs):
        self._poolscope_born = worker.now_us()
        original_pool_init(self, *args, **kwargs)

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        task = _next_task()
        queued(task, func, args, kwds)
        meta = {'task': task, 'born': getattr(self, '_poolscope_born', None), 'checkPickle': True}
        return original_apply_async(self, worker.traced_call, (meta, func) + tuple(args), kwds, callback,
                                    error_callback)

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        items = list(iterable)
        star = mapper is mp_pool.starmapstar
        packed = []
        for item in items:
            task = _next_task()
            queued(task, func, tuple(item) if star else (item,))
            packed.append((task, item))
        meta = {'born': getattr(self, '_poolscope_born', None), 'checkPickle': True}
        return original_map_async(self, worker.TracedMapFunc(meta, func, star), packed, mapper, chunksize,
                                  callback, error_callback)

    Pool.__init__ = pool_init
    Pool.apply_async = apply_async
    Pool._map_async = _map_async
    cf.ThreadPoolExecutor._poolscope = True
