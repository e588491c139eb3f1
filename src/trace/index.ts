// Re-exports only: the trace library shared by host, CLI, webview and tests.
export * from './events.js';
