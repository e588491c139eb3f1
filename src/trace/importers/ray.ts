/**
 * `ray timeline` (Chrome-trace JSON) → a PoolScope run. Ray writes one
 * `X` event per profile span: `pid` is the node ("Node:10.0.0.5", a string in
 * recent versions, a number in some), `tid` the worker process
 * ("worker:3f2a…"), `cat`/`name` the event type ("task", "task:execute",
 * "task:deserialize_arguments", "task:store_outputs", "worker_idle" …) and
 * `args` the task's id and function name. Whole-task spans become tasks and the
 * "task:*" spans inside them their phases; when a version writes no whole-task
 * span, each "task:execute" is a task. Ray's time unit has changed between
 * versions; it is read from the magnitude of the timestamps.
 */
import type { TraceEvent } from '../events.js';
import { chromeEventsOf, chromeSpans, type ChromeSpan } from './chrome-spans.js';
import { hostOfAddress, isRecord, spansToRun, toMicrosecondsFactor, type ImportedSpan } from './spans-to-run.js';

const typeOf = (s: ChromeSpan): string => s.cat || s.name;
const isWholeTask = (s: ChromeSpan): boolean => typeOf(s) === 'task' || typeOf(s).startsWith('task::');
const isTaskPart = (s: ChromeSpan): boolean => /^task:[^:]/.test(typeOf(s));

/** True for a Ray timeline: Chrome events with Ray's task event types. */
export function isRayTimeline(json: unknown): boolean {
  const events = chromeEventsOf(json);
  if (!events || events.length === 0) return false;
  return events.some((e) => {
    const t = typeof e.cat === 'string' && e.cat ? e.cat : e.name;
    return typeof t === 'string' && (t === 'task:execute' || t === 'task' || t.startsWith('task::'))
      && (typeof e.pid === 'string' ? /^node:/i.test(e.pid) : true)
      && (typeof e.tid === 'string' ? /^worker/i.test(e.tid) : isRecord(e.args) && ('task_id' in e.args || 'worker_id' in e.args));
  });
}

function taskName(s: ChromeSpan): string {
  const a = s.args ?? {};
  for (const k of ['name', 'function_name', 'func_or_class_name', 'task_name']) {
    if (typeof a[k] === 'string' && a[k]) return a[k] as string;
  }
  if (typeOf(s).startsWith('task::')) return typeOf(s).slice('task::'.length);
  return s.name && s.name !== typeOf(s) ? s.name : 'task';
}

export function importRayTimeline(json: unknown): TraceEvent[] {
  const { spans: all } = chromeSpans(chromeEventsOf(json) ?? []);
  const whole = all.filter(isWholeTask);
  const taskSpans = whole.length > 0 ? whole : all.filter((s) => typeOf(s) === 'task:execute');
  if (taskSpans.length === 0) throw new Error('the Ray timeline holds no task spans ("task" or "task:execute")');
  const f = toMicrosecondsFactor(taskSpans[0].start);
  // Subtract the first timestamp in the file's own unit before scaling, so nanoseconds since the epoch keep their precision.
  const base = Math.min(...taskSpans.map((s) => s.start));
  const us = (t: number): number => (t - base) * f;
  const parts = whole.length > 0 ? all.filter(isTaskPart) : [];
  const out: ImportedSpan[] = taskSpans.map((s) => {
    const lane = `${String(s.pid)}:${String(s.tid)}`;
    const phases = parts.filter((p) => `${String(p.pid)}:${String(p.tid)}` === lane && p.start >= s.start && p.end <= s.end)
      .map((p) => ({ name: typeOf(p).slice('task:'.length), start: us(p.start), end: us(p.end) }));
    const host = typeof s.pid === 'string' ? hostOfAddress(s.pid) ?? s.pid : undefined;
    const failed = s.args && (s.args.error !== undefined || s.args.status === 'FAILED');
    const taskId = typeof s.args?.task_id === 'string' ? s.args.task_id : undefined;
    return {
      name: taskName(s), host, process: typeof s.pid === 'string' ? String(s.tid) : s.pid,
      thread: typeof s.pid === 'string' ? 0 : s.tid, start: us(s.start), end: us(s.end), phases,
      ...(failed ? { error: { name: 'RayTaskError', message: typeof s.args?.error === 'string' ? s.args.error : 'the task failed' } } : {}),
      ...(taskId ? { detail: `task ${taskId}` } : {}),
    };
  });
  return spansToRun(out, { label: 'Ray timeline', source: 'ray' });
}
