// The run clock: performance.now() plus an offset must read CLOCK_MONOTONIC (process.hrtime) — the clock
// every process of a run and Python use. The offset is taken with the hrtime read bracketed by two
// performance.now() reads (the narrowest of a few tries), so a thread preempted between two reads does not
// skew every time it stamps later (a task queued on the pool's thread then looked started before it was
// queued on a worker's, and a short compare's task phase read 0).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engine } from '../fixtures/pool/harness.mjs';

const { monotonicUs, performanceOffsetUs } = engine;

/** performance.now() × 1000 + offset − hrtime, from a read whose bracket was narrow (retried: this thread may be preempted too). */
function errorOf(offset) {
  let best = { width: Infinity, error: 0 };
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const m = monotonicUs();
    const b = performance.now();
    if (b - a < best.width) best = { width: b - a, error: (a + b) * 500 + offset - m };
    if (best.width < 0.05) break;
  }
  return best;
}

test('performanceOffsetUs: performance.now() plus the offset reads the monotonic clock', () => {
  for (let round = 0; round < 20; round++) {
    const offset = performanceOffsetUs();
    const { width, error } = errorOf(offset);
    // Both reads are bracketed: they agree within their brackets (plus float rounding).
    assert.ok(Math.abs(error) <= width * 1000 + 200, `round ${round}: off by ${error.toFixed(1)} µs (bracket ${(width * 1000).toFixed(1)} µs)`);
  }
});

test('performanceOffsetUs: a thread preempted between two clock reads does not skew the offset', () => {
  // Simulated: the first performance.now() read happens 20 ms before the hrtime read (the thread lost its
  // core in between), as on a busy machine. A single pair of reads would be 10-20 ms off; the offset is
  // taken from the narrowest bracket, so it stays exact.
  const real = performance.now;
  let calls = 0;
  performance.now = function now() { return real.call(performance) - (calls++ === 0 ? 20 : 0); };
  let offset;
  try {
    offset = performanceOffsetUs();
  } finally {
    performance.now = real;
  }
  assert.ok(calls > 2, 'it took more than one bracket');
  const { width, error } = errorOf(offset);
  assert.ok(Math.abs(error) <= width * 1000 + 200, `off by ${error.toFixed(1)} µs`);
});
