/**
 * Finds the data files of the installed `vega-datasets` package. Its `exports` map names only
 * the JavaScript entry, so the data folder is found next to that entry.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Returns the absolute path of a file in `vega-datasets/data`, such as `'flights-3m.parquet'`. */
export function datasetPath(name: string): string {
  return join(dirname(require.resolve('vega-datasets')), '..', 'data', name);
}
