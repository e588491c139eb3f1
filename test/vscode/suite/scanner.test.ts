// The light exported-function scanner behind CodeLens and "function at the cursor".
import * as assert from 'node:assert/strict';
import { findExportedFunctions, functionAtLine, functionInSelection } from '../../../src/extension/exported-functions.js';
import { locateInFile } from '../../../src/extension/stack-location.js';
import { TraceHistory } from '../../../src/extension/trace-history.js';
import type { TraceEvent } from '../../../src/trace/events.js';

export function defineScannerTests(): void {
  suite('exported-function scanner', () => {
    const source = [
      'import x from "y";',                                  // 0
      'export function square(n: number) { return n * n; }', // 1
      'function helper() {}',                                 // 2
      '/* export function commented() {}',                    // 3
      '   still a comment */',                                // 4
      'export async function fetchAll(urls: string[]) {',     // 5
      '  return urls;',                                       // 6
      '}',                                                    // 7
      'export const double = (n: number) => n * 2;',          // 8
      'export const VALUE = 3;',                              // 9
      'function local(a: number) { return a; }',              // 10
      'export { local as renamed };',                         // 11
      'export default async function main() {}',              // 12
    ].join('\n');

    test('findExportedFunctions(source) lists exports in source order, skipping comments and non-functions', () => {
      assert.deepEqual(findExportedFunctions(source).map((f) => [f.name, f.line, f.isDefault]), [
        ['square', 1, false], ['fetchAll', 5, false], ['double', 8, false], ['renamed', 10, false], ['default', 12, true],
      ]);
    });

    test('functionAtLine(source, 6) is the enclosing exported function; inside a helper there is none', () => {
      assert.equal(functionAtLine(source, 6)?.name, 'fetchAll');
      assert.equal(functionAtLine(source, 7)?.name, 'fetchAll', 'the closing brace belongs to it');
      assert.equal(functionAtLine(source, 1)?.name, 'square');
      assert.equal(functionAtLine(source, 2), undefined, 'helper() is not exported');
      assert.equal(functionAtLine(source, 10)?.name, 'renamed', 'exported through export { local as renamed }');
      assert.equal(functionAtLine(source, 0), undefined);
    });

    test('functionInSelection() accepts a selected declaration or a selected name', () => {
      assert.equal(functionInSelection(source, '  export async function fetchAll(urls: string[]) {\n return urls;\n}')?.name, 'fetchAll');
      assert.equal(functionInSelection(source, ' double ')?.name, 'double');
      assert.equal(functionInSelection(source, 'helper'), undefined);
    });

    test('locateInFile(stack, file) finds the first frame in the user file, path or file URL', () => {
      const stack = 'RangeError: no\n    at inner (/other/lib.ts:3:9)\n    at failOnTwo (file:///ws/tasks.ts:11:11)\n    at /ws/tasks.ts:40:1';
      assert.deepEqual(locateInFile(stack, '/ws/tasks.ts'), { line: 11, column: 11 });
      assert.equal(locateInFile(stack, '/ws/none.ts'), undefined);
      assert.equal(locateInFile(undefined, '/ws/tasks.ts'), undefined);
    });
  });
}

export function defineHistoryTests(): void {
  suite('TraceHistory (replay buffer)', () => {
    const run = (runId: string, tasks: number, ended = true): TraceEvent[] => {
      const events: TraceEvent[] = [];
      let seq = 0;
      events.push({ type: 'run-start', runId, seq: seq++, t: 0, backend: 'thread', workers: 1, inputsCount: tasks, node: 'v20', pid: 1, originUs: 0 });
      for (let i = 0; i < tasks; i++) events.push({ type: 'task-queued', runId, seq: seq++, t: 1, taskId: i, fn: 'f', inputPreview: '1' });
      if (ended) events.push({ type: 'run-end', runId, seq: seq++, t: 2, stats: { wallUs: 2, tasks, ok: tasks, failed: 0, taskUs: 0, pids: [1], threadIds: [1], workersStarted: 1 } });
      return events;
    };

    test('since(lastSeq) returns only what the webview lacks; add() skips what is already held', () => {
      const h = new TraceHistory(1000);
      const a = run('a', 3);
      assert.equal(h.add(a).length, a.length);
      assert.equal(h.add(a.slice(0, 2)).length, 0, 'duplicates are dropped');
      assert.deepEqual(h.since({ a: 2 }).map((e) => e.seq), [3, 4]);
      assert.deepEqual(h.since({ a: a.length - 1 }), []);
      assert.equal(h.since({}).length, a.length, 'an unknown run is replayed in full');
    });

    test('new TraceHistory(5) drops the oldest finished runs beyond 5 tasks, never a run still streaming', () => {
      const h = new TraceHistory(5);
      h.add(run('old', 3));
      h.add(run('live', 4, false));
      assert.deepEqual(h.runIds, ['live'], 'the finished run went first');
      h.add(run('next', 4));
      assert.deepEqual(h.runIds, ['live', 'next'], 'the streaming run stays even over the cap');
    });
  });
}
