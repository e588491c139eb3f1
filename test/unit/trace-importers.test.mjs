// importTrace(): other tools' traces on PoolScope's lanes (Ray, Dask, VizTracer, plain Chrome), from hand-made
// fixtures that follow each tool's documented format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importTrace, computeRunSummaries, traceToChrome } from '../../dist/trace.mjs';
import { defined, eventsOf, firstOf } from '../fixtures/trace-events.mjs';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/traces/foreign/${name}`, import.meta.url), 'utf8'));
/** @param {import('../../dist/trace.mjs').TraceEvent[]} events */
const workers = (events) => eventsOf(events, 'worker-start');
/** @param {import('../../dist/trace.mjs').TraceEvent[]} events */
const ends = (events) => eventsOf(events, 'task-end');

test('a Ray timeline with string pids keeps one lane per node and worker, tasks from "task" spans with their phases', () => {
  const { format, events } = importTrace(fixture('ray-timeline.json'));
  assert.equal(format, 'ray');
  const lanes = workers(events);
  assert.deepEqual(lanes.map((w) => [w.host, w.name]), [
    ['10.0.0.5', 'worker:aa11'], ['10.0.0.5', 'worker:bb22'], ['10.0.0.6', 'worker:cc33']]);
  assert.equal(new Set(lanes.map((w) => w.pid)).size, 3, 'three worker processes, not one collapsed lane');
  const [summary] = computeRunSummaries(events);
  assert.equal(summary.tasks, 6, 'worker_idle and task:* parts are not tasks');
  assert.equal(summary.backend, 'process');
  assert.deepEqual(firstOf(events, 'run-start').hosts, ['10.0.0.5', '10.0.0.6']);
  const first = firstOf(events, 'task-end');
  assert.deepEqual(defined(first.phases).map((p) => p.name), ['deserialize_arguments', 'execute', 'store_outputs']);
  assert.equal(first.t, 250000, 'µs timestamps kept as µs: a 250 ms task');
  assert.equal(firstOf(events, 'task-queued').fn, 'square');
});

test('an older Ray timeline in nanoseconds with numeric pids: units normalised to µs, task:execute spans are the tasks', () => {
  const { format, events } = importTrace(fixture('ray-timeline-ns.json'));
  assert.equal(format, 'ray');
  const [summary] = computeRunSummaries(events);
  assert.equal(summary.tasks, 4);
  assert.deepEqual(ends(events).map((e) => Math.round(e.t - firstOf(events, 'task-start', (s) => s.taskId === e.taskId).t)), [50000, 50000, 50000, 50000], "ns since the epoch hold 256 ns steps as doubles: µs after rounding");
  assert.deepEqual(summary.pids, [4100, 4101]);
  assert.equal(firstOf(events, 'task-queued').fn, 'cube');
});

test('a Dask task stream: lanes host → worker address → thread, phases inside each bar, an erred task failed', () => {
  const { format, events } = importTrace(fixture('dask-task-stream.json'));
  assert.equal(format, 'dask');
  const lanes = workers(events);
  assert.equal(lanes.length, 3);
  assert.deepEqual([...new Set(lanes.map((w) => w.host))], ['10.0.0.5', '10.0.0.6']);
  assert.ok(lanes.every((w) => w.name.startsWith('tcp://')));
  const [summary] = computeRunSummaries(events);
  assert.equal(summary.tasks, 7);
  assert.equal(summary.failed, 1);
  const failed = firstOf(events, 'task-end', (e) => !e.ok);
  assert.equal(failed.error?.name, 'DaskTaskError');
  assert.match(defined(failed.error).message, /ZeroDivisionError/);
  const queued = events.filter((e) => e.type === 'task-queued');
  assert.deepEqual([...new Set(queued.map((q) => q.fn))], ['inc', 'sum']);
  const okEnd = firstOf(events, 'task-end', (e) => e.ok);
  assert.deepEqual(defined(okEnd.phases).map((p) => p.name), ['transfer', 'deserialize', 'compute']);
  const start = firstOf(events, 'task-start', (e) => e.taskId === okEnd.taskId).t;
  assert.equal(Math.round(okEnd.t - start), 205000, 'epoch seconds → µs');
});

test('VizTracer: outermost spans per thread by default, or the calls of --task-name; never every nested call', () => {
  const all = importTrace(fixture('viztracer.json'));
  assert.equal(all.format, 'viztracer');
  assert.equal(computeRunSummaries(all.events)[0].tasks, 4, 'main() on MainThread, three work() on the pool thread');
  const named = importTrace(fixture('viztracer.json'), { taskName: 'work' });
  const [summary] = computeRunSummaries(named.events);
  assert.equal(summary.tasks, 6);
  assert.deepEqual(workers(named.events).map((w) => w.name).sort(), ['MainThread', 'ThreadPoolExecutor-0_0']);
  assert.ok(named.events.filter((e) => e.type === 'task-queued').every((q) => q.fn === 'work'));
  assert.throws(() => importTrace(fixture('viztracer.json'), { taskName: 'nope' }), { name: 'TraceFormatError', message: /nope/ });
});

test('PoolScope\'s own export is still read losslessly, and plain Chrome JSON best effort', () => {
  const { events } = importTrace(fixture('dask-task-stream.json'));
  const back = importTrace(JSON.stringify(traceToChrome(events)));
  assert.equal(back.format, 'poolscope');
  assert.deepEqual(back.events, events);
  const plain = importTrace({ traceEvents: [{ name: 'a', ph: 'X', ts: 5, dur: 10, pid: 1, tid: 2 }] });
  assert.equal(plain.format, 'chrome');
  assert.equal(computeRunSummaries(plain.events)[0].tasks, 1);
});

test('what is not a trace is refused with TraceFormatError', () => {
  assert.throws(() => importTrace('{nope'), { name: 'TraceFormatError' });
  assert.throws(() => importTrace({ hello: 1 }), { name: 'TraceFormatError' });
  assert.throws(() => importTrace([{ key: 'x', worker: 'tcp://a:1', startstops: [] }]), { name: 'TraceFormatError', message: /dask/ });
});
