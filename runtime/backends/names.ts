// The backend names as plain data, so flag parsing and help text need not load tfjs
// (`moec check` starts without it). tests/runtime/backend-names.test.ts keeps this list
// equal to ['auto', ...the profiles' names].
export const BACKEND_NAME_LIST = ['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow', 'tensorflow-gpu'] as const;
