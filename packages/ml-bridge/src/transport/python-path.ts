/**
 * Finds the folder that contains the `starweave_bridge` Python package, which becomes the worker's
 * `PYTHONPATH`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Returns the nearest folder named `python` that contains `starweave_bridge`, searching from
 * this module's folder upward: the repository's `python/` from sources or a build, or a copy
 * shipped next to the package. Falls back to `python/` under the working directory.
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
  // The CommonJS build has __dirname and no import.meta.url; the ESM build the other way round.
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}
