// Entry of a measurement process started by isolate.mjs: imports a module, calls one export
// with JSON arguments and prints `RESULT {json}`.

const [moduleUrl, exportName, argsJson] = process.argv.slice(2);
const module = await import(moduleUrl);
const measure = module[exportName];
if (typeof measure !== 'function') {
  throw new Error(`${moduleUrl} has no exported function ${exportName}`);
}

const result = await measure(JSON.parse(argsJson));
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
// A system under test may leave timers or handles behind; the figure is taken, so stop here.
process.exit(0);
