"""Getting results back — the seed's multiprocessing_return.py.

apply_async() returns an AsyncResult at once; keep them in a list and get()
the values later. ready() and successful() tell where each one is. map() is
the blocking shortcut. Whatever crosses the process boundary is pickled, so
arguments and results must be picklable (numbers, strings, lists, dicts,
top-level classes and functions … not lambdas or open files).

Run it through PoolScope (Run File), or plainly: `python3 return_values.py`.
"""
import multiprocessing
import os


def square(x):
    return x * x


def describe(x):
    return {'input': x, 'square': x * x, 'pid': os.getpid()}


def main():
    with multiprocessing.Pool(processes=2) as pool:
        results = [pool.apply_async(describe, (x,)) for x in range(6)]
        print('right after submitting, ready():', [r.ready() for r in results])
        values = [r.get(timeout=10) for r in results]
        print('after get(), ready():', [r.ready() for r in results],
              'successful():', [r.successful() for r in results])
        for v in values:
            print(v)
        print('map (blocking):', pool.map(square, range(10)))
        print('apply (blocking):', pool.apply(square, (12,)))
        print('main program PID', os.getpid(), '— the workers had',
              len({v['pid'] for v in values}), 'PIDs between them')


if __name__ == '__main__':
    main()
