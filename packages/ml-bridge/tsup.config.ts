import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const pythonSource = fileURLToPath(new URL('../../python/starweave_bridge', import.meta.url));
const pythonCopy = fileURLToPath(new URL('./dist/python/starweave_bridge', import.meta.url));

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // zeromq is a native module, loaded only when a worker uses ZeroMQ.
  external: ['zeromq'],
  // The package ships its own copy of the Python worker; the built code finds it in
  // dist/python before any python/ folder further up.
  onSuccess: async () => {
    cpSync(pythonSource, pythonCopy, {
      recursive: true,
      filter: (path) => !path.includes('__pycache__'),
    });
  },
});
