"""`import poolscope` inside a script run by PoolScope: the backend toggle, Python-side.

    from poolscope import PoolExecutor      # ThreadPoolExecutor or ProcessPoolExecutor, as toggled

Like the seed's unify_thread_process.py, but the alias follows PoolScope's
backend toggle (py-thread / py-thread-ft → threads, py-process / py-mp-pool →
processes) instead of an edited import line. Outside PoolScope, import
concurrent.futures directly.
"""

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

BACKEND = os.environ.get('POOLSCOPE_BACKEND', 'py-thread')

#: The executor class the toggle selects.
PoolExecutor = ProcessPoolExecutor if BACKEND in ('py-process', 'py-mp-pool') else ThreadPoolExecutor

__all__ = ['PoolExecutor', 'ThreadPoolExecutor', 'ProcessPoolExecutor', 'BACKEND']
