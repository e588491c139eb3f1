// The trace sink's pace: CPU and machine samples alone go out at most every SAMPLES_FLUSH_INTERVAL_MS (a
// CPU-bound phase makes one every few ms, and each batch costs the runner an IPC message and its parent a
// parse, on the cores the workers are measured on); anything else joining them brings the flush forward.
// Timers and the sink's clock are both faked: nothing here depends on how fast the machine is.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { TraceSink, SAMPLES_FLUSH_INTERVAL_MS } from '../../dist/pool.mjs';

/** A sink on a fake clock; `advance(ms)` moves the clock and fires the timers due. */
function fakeSink() {
  let nowMs = 1000;
  const sink = new TraceSink('run-1', { now: () => nowMs });
  const batches = [];
  sink.subscribeColumns((columns) => batches.push({ length: columns.length, types: columns.events.map((e) => e.type) }));
  const advance = (ms) => { nowMs += ms; mock.timers.tick(ms); };
  return { sink, batches, advance };
}

/** @param {number} t */
const sample = (t) => ({ type: /** @type {const} */ ('cpu-sample'), t, pid: 1, tid: 1, cpuUs: 5000, intervalUs: 5000 });

test('samples alone wait for SAMPLES_FLUSH_INTERVAL_MS after the last batch, then go out together', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { sink, batches, advance } = fakeSink();
  assert.equal(SAMPLES_FLUSH_INTERVAL_MS, 100);
  // The first one goes out on the next turn: nothing was delivered before.
  sink.emit(sample(1));
  advance(0);
  assert.deepEqual(batches, [{ length: 1, types: ['cpu-sample'] }]);
  // Then one every 5 ms: held until 100 ms after that batch, not flushed every 10 ms.
  for (let i = 0; i < 19; i++) {
    advance(5);
    sink.emit(sample(i + 2));
  }
  assert.equal(batches.length, 1, 'samples alone were delivered before the samples interval');
  sink.emit({ type: 'machine-sample', t: 200, intervalUs: 100_000, cores: 2, busyUs: 1000, ownUs: 500 });
  advance(5);
  assert.equal(batches.length, 2);
  assert.equal(batches[1].length, 20);
  assert.deepEqual([...new Set(batches[1].types)], ['cpu-sample', 'machine-sample']);
});

test('a task row or another event joining waiting samples goes out at the usual pace (10 ms), samples with it', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { sink, batches, advance } = fakeSink();
  sink.emit(sample(1));
  advance(0);
  sink.emit(sample(2));
  advance(2);
  sink.queued(3, 0, 'burn', [7]);
  advance(8);
  assert.equal(batches.length, 2, 'the task row did not bring the samples\' flush forward to 10 ms');
  assert.equal(batches[1].length, 2);
  // The same for an event that is not a sample (a log line, a worker starting).
  sink.emit(sample(4));
  advance(1);
  sink.emit({ type: 'log', t: 5, stream: 'stdout', text: 'hello' });
  advance(9);
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[2].types, ['cpu-sample', 'log']);
});

test('rows alone keep the 10 ms pace; flush() delivers held samples at once', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { sink, batches, advance } = fakeSink();
  sink.queued(0, 0, 'burn', [1]);
  advance(0);
  sink.queued(1, 1, 'burn', [2]);
  advance(9);
  assert.equal(batches.length, 1);
  advance(1);
  assert.equal(batches.length, 2);
  sink.emit(sample(20));
  advance(10);
  assert.equal(batches.length, 2);
  sink.flush();
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[2].types, ['cpu-sample']);
});
