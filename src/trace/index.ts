// Re-exports only: the trace library shared by host, CLI, webview and tests.
export * from './events.js';
export * from './trace-model.js';
export * from './busy-sketch.js';
export * from './percentile.js';
export * from './stats.js';
export * from './on-cpu.js';
export * from './chrome-trace.js';
export * from './csv.js';
export * from './html-report.js';
export * from '../common/trace-columns.js';
export * from './import-trace.js';
export * from './hosts.js';
export * from './run-numbers.js';
export * from './trace-store.js';
export * from './text-chunks.js';
export * from './task-table.js';
