// Re-exports only: the Python backends and the CPU and machine-load samplers, bundled as dist/python.mjs.
export * from './python-run.js';
export { PYTHON_BACKENDS, PYTHON_BACKEND_EXPLANATIONS, isPythonBackend, nextPythonBackend, type PythonBackend } from '../../common/backends.js';
export * from '../cpu-sampler.js';
export * from './interpreters.js';
export * from './session.js';
export * from './functions.js';
export * from '../machine-load.js';
