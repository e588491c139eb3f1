// Re-exports only: the engine's public surface (dist/pool.mjs).
export { createPool } from './pool.js';
export { monotonicUs, performanceOffsetUs } from './clock.js';
export { defaultMemoryLimitMb } from './memory.js';
export * from './errors.js';
export * from './types.js';
export { WORKER_IDENTITY_KEY, type WorkerIdentityGlobal } from './protocol.js';
export { TaskQueue } from './queue.js';
export { TraceSink, SAMPLES_FLUSH_INTERVAL_MS } from './trace-sink.js';
export { previewValue, previewArgs } from './preview.js';
export { expandTraceColumns, columnsToJson, copyTraceColumns, isTraceColumns, RowKind, type TraceColumns, type TraceColumnsListener } from '../common/trace-columns.js';
