/** The `--help` text: what a newcomer needs to run their first function. */

export const HELP = `poolscope — run a TypeScript function through a pool and see where every task ran

Usage
  poolscope run <file> --fn <name> --inputs <inputs> [options]
      Call the exported function <name> of <file> once per input, in a pool.
  poolscope run <file> [options]
      Run the file's default export (export default async function main()),
      which may use the API: import { Pool, PoolExecutor } from 'poolscope'.
      new Pool() / new PoolExecutor() default to --backend and --workers.
  poolscope compare <file> --fn <name> --inputs <inputs> [options]
      Run the same function and inputs on serial, event-loop, thread and
      process, one after another on one clock (each pool warmed up first),
      and print a table: task phase, speed-up vs serial (task phase, and with
      worker start-up), cores used, efficiency, failures; then a verdict, and
      a warning when other programs kept the machine busy.
  poolscope view <trace> [--html out.html] [--task-name <fn>]
      Read a trace without running anything: PoolScope's own, a Ray timeline
      (ray timeline), a Dask task stream (Client.get_task_stream() saved as
      JSON), a VizTracer file (its outermost calls per thread, or the calls of
      --task-name) or any Chrome/Perfetto JSON; print the runs, write outputs.
  poolscope demo
      Run the bundled CPU-bound and I/O-bound examples on every backend.

Inputs (one element per task)
  '[1, 2, 3]'            three tasks: f(1), f(2), f(3)
  '[[1, 2], [3, 4]]'     two tasks: f(1, 2), f(3, 4) (an array is an argument list)
  '[[[1, 2]]]'           one task: f([1, 2])
  'range(10)'            f(0) … f(9); also range(a, b) and range(a, b, step)
  @inputs.json           a JSON file holding such an array
  (no --inputs)          one task: f()

Options
  -f, --fn <name>        the exported function to call (without it, run calls main())
  -i, --inputs <inputs>  the inputs, as above
  -b, --backend <name>   event-loop | thread | process | serial   (default: thread)
      --backends <list>  compare: which backends, comma-separated (default: all four)
      --repeat <n>       compare: n rounds, interleaved; medians and min–max (default: 1)
  -w, --workers <n>      pool size; event-loop: tasks in flight   (default: number of CPUs)
  -t, --timeout <ms>     per-task timeout; the task's worker is really stopped
      --cpu-sample-ms <ms>
                         on-CPU sampling period (default 5; 0 = off); gives each task its cpuFraction
      --max-memory <MB>  memory limit per worker (heap + Buffers; process: RSS); a task
                         past it fails (MemoryLimitExceeded). Default: half the
                         machine's memory over the workers, 256-2048 MB each
      --trace <out.json> write a Chrome trace (open in Perfetto or speedscope)
      --csv <out.csv>    write one row per task
      --html <out.html>  write a self-contained HTML timeline
      --json             print the results as JSON on stdout instead of tables
      --node <path>      run the tasks on this Node binary (default: the one running poolscope)
      --python <path>    .py files: the Python interpreter (default: python3); their backends
                         are py-serial, py-thread, py-process, py-mp-pool, py-thread-ft, py-dask
      --cache-dir <dir>  where bundles of your file are cached (default: $XDG_CACHE_HOME/poolscope,
                         else ~/.cache/poolscope; it must be writable only by you)
      --scheduler <addr> py-dask: use the Dask cluster at tcp://host:port (default: a
                         LocalCluster of --workers processes for the run)
      --threads-per-worker <n>  py-dask LocalCluster: threads per worker process (default 1)
      --task-name <fn>   view, VizTracer files: the function whose calls are the tasks
      --timing           print start-up timing as JSON on stderr (time to the first task start)
      --verbose          with an internal error, print PoolScope's own stack too
  -h, --help             this text
  -v, --version          the version

Backends
  serial      one task at a time in the runner: the baseline for speed-up
  event-loop  one thread, many tasks in flight: awaits overlap, CPU work does not
              (JavaScript's event loop behaves like Python's GIL here)
  thread      worker_threads: parallel CPU, one process, cheap to start
  process     child processes: parallel CPU, isolated, costlier to start

Exit codes
  0  every task succeeded
  1  some tasks failed (they are listed with their errors), or the run was stopped
  2  usage or load error: bad flags, file not found or not a file, syntax error,
     function not exported or not a function, no default export main() without
     --fn, bad inputs, an output file (--trace/--csv/--html) that cannot be
     written (checked before any task runs)
  70 internal error: PoolScope itself failed (says what; --verbose for its stack)

Examples
  poolscope run examples/cpu-bound.ts --fn cpuTask --inputs 'range(8)' --backend process
  poolscope compare examples/cpu-bound.ts --fn cpuTask --inputs 'range(8)' --workers 2 --trace cpu.json
  poolscope run my-script.ts --backend thread --workers 4

Your code runs in a separate runner process and its workers, never in the
poolscope process itself. Functions travel by reference, like pickle: a task
must be a top-level export, and its arguments and result must be
structured-cloneable.
`;
