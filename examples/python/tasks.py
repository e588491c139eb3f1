"""Task functions to run with PoolScope's "Run Function in Pool" on the Python backends.

CPU-bound ones hold the GIL: on py-thread they take turns on one core (the
CPU lane under each bar shows the hand-off), on py-process they run side by
side. I/O-bound ones release the GIL while they wait: threads overlap fine.

Try: count_primes over [[40000]] × 8 on py-serial, py-thread, py-process.
"""
import hashlib
import os
import threading
import time


def count_primes(limit):
    """CPU-bound: trial division in pure Python."""
    count = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count


def fib(n):
    """CPU-bound: the slow recursive Fibonacci (fib(27) ≈ 0.1–0.3 s)."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def hash_rounds(rounds):
    """CPU-bound but in C: hashlib releases the GIL for large buffers, so threads do scale here."""
    data = os.urandom(1 << 20)
    for _ in range(rounds):
        data = hashlib.sha256(data).digest() * (1 << 15)
    return hashlib.sha256(data).hexdigest()[:16]


def sleep_io(ms):
    """I/O-bound: waiting releases the GIL, so threads overlap."""
    time.sleep(ms / 1000)
    return f'slept {ms} ms on {threading.current_thread().name}'


def whoami(_=None):
    """Where did this task run? Threads share the PID; processes don't."""
    import multiprocessing
    return {'pid': os.getpid(), 'process': multiprocessing.current_process().name,
            'thread': threading.current_thread().name, 'native_id': threading.get_native_id()}


def flaky(x):
    """Fails for odd inputs: the traceback points at the line below."""
    if x % 2:
        raise ValueError(f'odd input {x}')
    return x // 2
