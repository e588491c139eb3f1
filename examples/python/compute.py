"""Many processes, each with its own GIL — the seed's multiprocessing_compute.py.

A CPU-bound job (counting primes) handed to multiprocessing.Pool: create the
pool, hand out the work, close() ("no more work is coming"), then join().
Each task prints the process that ran it: one PID per worker process.

Run it through PoolScope (Run File), or plainly: `python3 compute.py`.
"""
import multiprocessing
import os
import time


def count_primes(limit):
    """CPU-bound: pure Python, holds the GIL the whole time."""
    p = multiprocessing.current_process()
    print(f'counting primes below {limit:,} in PID {os.getpid()} ({p.name})')
    count = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n ** 0.5) + 1)):
            count += 1
    return count


def main():
    limits = [25_000] * 8
    started = time.perf_counter()
    pool = multiprocessing.Pool(processes=2)   # by default: one per core
    for limit in limits:
        pool.apply_async(count_primes, (limit,))
    pool.close()    # no more work is coming
    pool.join()     # wait until every worker finished
    print(f'{len(limits)} tasks on 2 processes: {time.perf_counter() - started:.2f} s '
          f'(main program PID {os.getpid()})')


if __name__ == '__main__':
    main()
