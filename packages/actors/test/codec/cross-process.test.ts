import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode, NDArray } from '../../src/codec/index.js';
import { StarweaveError } from '../../src/errors.js';
import { Pid, Ref } from '../../src/pid.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '../../../..');
const python = process.env.STARWEAVE_PYTHON ?? '/usr/bin/python3';
let folder: string;
let bundle: string;

// The child Node process cannot load TypeScript, so the codec is bundled for it first.
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'starweave-codec-'));
  bundle = join(folder, 'codec.mjs');
  await build({
    stdin: {
      contents: [
        "export * from './codec/index.ts';",
        "export { Pid, Ref } from './pid.ts';",
        "export { StarweaveError } from './errors.ts';",
      ].join('\n'),
      resolveDir: join(here, '../../src'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
  });
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function fixture() {
  return {
    text: 'héllo',
    int: 2 ** 40,
    big: 2n ** 80n,
    pid: new Pid('node-a', 7),
    ref: new Ref('local', 9),
    when: new Date(1_700_000_000_123),
    floats: new Float32Array([1.5, -2.5]),
    matrix: new NDArray(new Int16Array([1, 2, 3, 4, 5, 6]), [3, 2]),
    map: new Map<unknown, unknown>([
      [1, 'one'],
      ['two', 2],
    ]),
    set: new Set(['a', 'b']),
    error: new StarweaveError('ERR_NOPROC', 'gone', { details: { name: 'cache' } }),
  };
}

function run(command: string, args: string[], input?: Uint8Array) {
  const result = spawnSync(command, args, {
    input,
    env: { ...process.env, PYTHONPATH: join(repo, 'python') },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

describe('codec across processes', () => {
  it('decodes what another Node process encoded', () => {
    const bytes = run(process.execPath, [join(here, 'fixtures/wire-peer.mjs'), bundle, 'write']);
    const value = decode(bytes) as ReturnType<typeof fixture>;
    const expected = fixture();
    expect(value.text).toBe(expected.text);
    expect(value.int).toBe(expected.int);
    expect(value.big).toBe(expected.big);
    expect(value.pid.equals(expected.pid)).toBe(true);
    expect(value.ref.equals(expected.ref)).toBe(true);
    expect(value.when.getTime()).toBe(expected.when.getTime());
    expect(value.floats).toEqual(expected.floats);
    expect(value.matrix.shape).toEqual([3, 2]);
    expect(value.matrix.data).toEqual(expected.matrix.data);
    expect(value.map).toEqual(expected.map);
    expect(value.set).toEqual(expected.set);
    expect(value.error).toBeInstanceOf(StarweaveError);
    expect(value.error.code).toBe('ERR_NOPROC');
  });

  it('writes bytes another Node process decodes', () => {
    const output = run(
      process.execPath,
      [join(here, 'fixtures/wire-peer.mjs'), bundle, 'read'],
      encode(fixture()),
    );
    expect(JSON.parse(output.toString())).toEqual({
      pid: '<node-a.7.0>',
      big: (2n ** 80n).toString(),
      matrix: [3, 2],
      matrixData: [1, 2, 3, 4, 5, 6],
      map: [
        [1, 'one'],
        ['two', 2],
      ],
      error: 'ERR_NOPROC',
      when: 1_700_000_000_123,
    });
  });

  it('decodes what the Python codec encoded', () => {
    const bytes = run(python, [join(here, 'fixtures/wire_peer.py'), 'write']);
    const value = decode(bytes) as Record<string, any>;
    expect(value.text).toBe('héllo');
    expect(value.int).toBe(2 ** 40);
    expect(value.big).toBe(2n ** 80n);
    expect(value.pid).toBeInstanceOf(Pid);
    expect(value.pid.equals(new Pid('node-a', 7))).toBe(true);
    expect(value.ref.equals(new Ref('local', 9))).toBe(true);
    expect(value.when).toBeInstanceOf(Date);
    expect(value.when.getTime()).toBe(1_700_000_000_123);
    expect(value.floats).toEqual(new Float32Array([1.5, -2.5]));
    expect(value.matrix).toBeInstanceOf(NDArray);
    expect(value.matrix.shape).toEqual([3, 2]);
    expect(value.matrix.data).toEqual(new Int16Array([1, 2, 3, 4, 5, 6]));
    expect(value.map).toBeInstanceOf(Map);
    expect(value.map.get(1)).toBe('one');
    expect(value.set).toEqual(new Set(['a', 'b']));
    expect(value.error).toBeInstanceOf(Error);
    expect(value.error.name).toBe('ValueError');
    expect(value.error.message).toBe('bad value');
  });

  it('writes bytes the Python codec decodes', () => {
    const output = run(python, [join(here, 'fixtures/wire_peer.py'), 'read'], encode(fixture()));
    const description = JSON.parse(output.toString());
    expect(description.pid).toBe('<node-a.7.0>');
    expect(description.big).toBe((2n ** 80n).toString());
    expect(description.int).toBe(2 ** 40);
    expect(description.floats).toEqual(['float32', [1.5, -2.5]]);
    expect(description.matrix).toEqual([
      'int16',
      [3, 2],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    expect(description.map).toEqual([
      ['1', 'one'],
      ['two', 2],
    ]);
    expect(description.set).toEqual(['a', 'b']);
    expect(description.error).toEqual(['StarweaveError', 'ERR_NOPROC', { name: 'cache' }]);
    expect(description.when).toBeCloseTo(1_700_000_000.123, 3);
  });

  it('carries a 10 MB float64 array to Python and back', () => {
    const array = new Float64Array((10 * 1024 * 1024) / 8).map((_, index) => index);
    const script = [
      'import sys',
      'from starweave_bridge import decode, encode',
      'value = decode(sys.stdin.buffer.read())',
      'assert value.dtype.name == "float64" and value.shape == (1310720,), value.shape',
      'sys.stdout.buffer.write(encode(value * 2))',
    ].join('\n');
    const doubled = decode(run(python, ['-c', script], encode(array))) as Float64Array;
    expect(doubled).toBeInstanceOf(Float64Array);
    expect(doubled.length).toBe(array.length);
    expect(doubled[array.length - 1]).toBe((array.length - 1) * 2);
  });
});
