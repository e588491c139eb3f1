// The extension's retained history (src/extension/trace-history.ts): a run the
// runner left without its run-end (killed after Stop, crashed) is ended by the
// host with the figures its events show, so no view shows it running after a
// reload; failing tasks' inputs are found for the Problems message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../src/extension/trace-history.ts', import.meta.url));
const built = await esbuild.build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { TraceHistory } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
const thread = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/traces/thread.json', import.meta.url)), 'utf8')).events;

/** thread.json cut after its 6th task-start: tasks running, no run-end (what a killed runner leaves). */
function cutRun() {
  let starts = 0;
  const cut = thread.findIndex((e) => e.type === 'task-start' && ++starts === 6);
  return thread.slice(0, cut + 1);
}

test('closeOpenRuns ends a run left open: its running tasks end with the error, then a run-end with its figures', () => {
  const events = cutRun();
  const history = new TraceHistory(1e9);
  history.add(events);
  const error = { name: 'RunStopped', message: 'the run was stopped before it reported its end' };
  const added = history.closeOpenRuns(error);
  const started = new Set(events.filter((e) => e.type === 'task-start').map((e) => e.taskId));
  const ended = new Set(events.filter((e) => e.type === 'task-end').map((e) => e.taskId));
  const open = [...started].filter((id) => !ended.has(id));
  assert.ok(open.length > 0, 'the cut leaves tasks running');
  const taskEnds = added.filter((e) => e.type === 'task-end');
  assert.deepEqual(taskEnds.map((e) => e.taskId).sort((a, b) => a - b), open.sort((a, b) => a - b));
  assert.ok(taskEnds.every((e) => e.ok === false && e.error.name === 'RunStopped'));
  const runEnd = added.at(-1);
  assert.equal(runEnd.type, 'run-end');
  assert.equal(runEnd.error.name, 'RunStopped');
  const lastT = Math.max(...events.map((e) => e.t ?? 0));
  assert.equal(runEnd.t, lastT);
  assert.equal(runEnd.stats.wallUs, lastT - events[0].t);
  assert.equal(runEnd.stats.tasks, events.filter((e) => e.type === 'task-queued').length);
  assert.equal(runEnd.stats.ok + runEnd.stats.failed, started.size);
  assert.equal(runEnd.stats.workersStarted, events.filter((e) => e.type === 'worker-start').length);
  // Sequence numbers continue the run's, so replay by seq carries them to every view.
  const lastSeq = events.at(-1).seq;
  assert.deepEqual(added.map((e) => e.seq), added.map((_, k) => lastSeq + 1 + k));
  assert.deepEqual(history.since({ [events[0].runId]: lastSeq }), added);
  // Closing again adds nothing; a finished run is never touched.
  assert.deepEqual(history.closeOpenRuns(error), []);
  const done = new TraceHistory(1e9);
  done.add(thread);
  assert.deepEqual(done.closeOpenRuns(error), []);
});

test('inputPreviews finds the inputs of the given tasks of one run', () => {
  const history = new TraceHistory(1e9);
  history.add(thread);
  const runId = thread[0].runId;
  const queued = thread.filter((e) => e.type === 'task-queued');
  const want = new Set([queued[1].taskId, queued[3].taskId, 9999]);
  const found = history.inputPreviews(runId, want);
  assert.deepEqual([...found.entries()].sort((a, b) => a[0] - b[0]), [[queued[1].taskId, queued[1].inputPreview], [queued[3].taskId, queued[3].inputPreview]]);
  assert.equal(history.inputPreviews('no-such-run', want).size, 0);
});
