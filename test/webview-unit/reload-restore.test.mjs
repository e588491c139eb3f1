// Reload restores exactly: what the webview persists (SnapshotBuilder), read
// back (parsePersistedState) and completed by the host's replay by seq gives
// the same runs, lanes in the same order and the same statistics as before —
// for every fixture trace, and for a run the host ended after a Stop that cut
// it short (it stays stopped: finished, RunStopped, no task running).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'traces');
const { TraceModel, TaskStatus, SnapshotBuilder, parsePersistedState, summarizeRuns } = await import(path.join(ROOT, 'dist', 'test', 'webview-lib.mjs'));
const built = await esbuild.build({ entryPoints: [path.join(ROOT, 'src', 'extension', 'trace-history.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
const { TraceHistory } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

const UI = { colorMode: 'function', aligned: false, follow: false, hidden: [] };

/** What the user sees of a model: per run its summary, per lane its identity, in order. */
function shown(model) {
  return {
    summaries: summarizeRuns(model),
    lanes: model.runs.map((r) => r.lanes.map((li) => { const l = model.lanes[li]; return [l.workerId, l.pid, l.threadId, l.name, l.tasks.length]; })),
    running: model.runs.map((r) => { let n = 0; for (const i of model.taskIndicesOf(r)) if (model.tasks.status[i] === TaskStatus.Running) n++; return n; }),
  };
}

/** The webview before the reload, its persisted state through JSON (as VS Code keeps it), and the webview after it with the host's replay. */
function reload(history) {
  const before = new TraceModel({ dedupeBySeq: true });
  before.add(history.events());
  const state = parsePersistedState(JSON.parse(JSON.stringify(new SnapshotBuilder().snapshot(before, UI))));
  const after = new TraceModel({ dedupeBySeq: true });
  after.add(state.events);
  after.add(history.since(after.lastSeqByRun()));
  return { before, after, state };
}

for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
  test(`${name}: the restored timeline has the same runs, lane order and statistics`, () => {
    const { events } = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
    const history = new TraceHistory(1e9);
    history.add(events);
    const { before, after, state } = reload(history);
    assert.ok(state.events.length > 0, 'the runs fit the persisted state');
    assert.deepEqual(shown(after), shown(before));
  });
}

test('a run stopped without its run-end stays stopped after a reload, with the same statistics', () => {
  const { events } = JSON.parse(readFileSync(path.join(FIXTURES, 'compare.json'), 'utf8'));
  // The last run of a compare, cut while tasks run (the runner killed after Stop): the host closes it.
  const lastRun = events.at(-1).runId;
  let starts = 0;
  const cut = events.findIndex((e) => e.runId === lastRun && e.type === 'task-start' && ++starts === 4);
  const history = new TraceHistory(1e9);
  history.add(events.slice(0, cut + 1));
  const closed = history.closeOpenRuns({ name: 'RunStopped', message: 'the run was stopped before it reported its end' });
  assert.ok(closed.some((e) => e.type === 'task-end'), 'tasks were running when it stopped');
  const { before, after } = reload(history);
  const s = shown(after);
  assert.deepEqual(s, shown(before));
  const stopped = s.summaries.find((x) => x.runId === lastRun);
  assert.equal(stopped.finished, true, 'finished, not running…');
  assert.equal(stopped.error?.name, 'RunStopped');
  assert.ok(stopped.cancelled > 0, 'its cut tasks count as cancelled, not failed');
  assert.deepEqual(s.running, s.running.map(() => 0), 'no task is left running');
});
