// Re-exports only: the trace library shared by host, CLI, webview and tests.
export * from './events.js';
export * from './trace-model.js';
export * from './percentile.js';
export * from './stats.js';
