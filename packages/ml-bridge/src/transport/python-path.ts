/**
 * Finds the interpreter that runs a worker and the folder that contains the `starweave_bridge`
 * Python package, which becomes the worker's `PYTHONPATH`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The interpreter that Debian's `python3-msgpack`, `python3-numpy` and `python3-zmq` install
 * into. It need not be the first `python3` on `PATH`.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Returns the interpreter to start workers with: `STARWEAVE_PYTHON` from the environment, else
 * {@link SYSTEM_PYTHON} when it exists, else `python3` as `PATH` finds it.
 */
export function defaultPython(): string {
  const fromEnvironment = process.env.STARWEAVE_PYTHON;
  if (fromEnvironment) return fromEnvironment;
  return existsSync(SYSTEM_PYTHON) ? SYSTEM_PYTHON : 'python3';
}

/**
 * Returns the nearest folder named `python` that contains `starweave_bridge`, searching from
 * this module's folder upward: the copy that the build puts in `dist/python`, or the
 * repository's `python/` when running from sources. Falls back to `python/` under the working
 * directory.
 */
export function defaultPythonPath(): string {
  let folder = moduleFolder();
  for (;;) {
    const candidate = join(folder, 'python');
    if (existsSync(join(candidate, 'starweave_bridge', '__init__.py'))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return join(process.cwd(), 'python');
    folder = parent;
  }
}

function moduleFolder(): string {
  // The ESM build has import.meta.url; in the CommonJS build tsup leaves it undefined and the
  // module has __dirname. import.meta comes first because `node -e` defines a global __dirname.
  const url: string | undefined = import.meta.url;
  if (typeof url === 'string') return dirname(fileURLToPath(url));
  return __dirname;
}
