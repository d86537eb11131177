/**
 * Real signals: a main script built on Application exits with code 0 after a graceful stop on
 * SIGTERM or SIGINT, and with code 1 when its root supervisor gives up. The script runs in its
 * own node process, bundled from TypeScript with esbuild.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
// Inside the repository, so that the bundle's imports of third-party packages resolve.
const outDir = `${testDir}.generated`;
const bundle = `${outDir}/signal-app.mjs`;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [`${testDir}fixtures/signal-app.ts`],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    alias: {
      '@starweave/actors': `${repo}packages/actors/src/index.ts`,
      '@starweave/supervision': `${repo}packages/supervision/src/index.ts`,
    },
    plugins: [
      {
        name: 'external-packages',
        setup(esbuild) {
          // Third-party packages load from node_modules; only Starweave's sources are bundled.
          esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@starweave/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
}, 30_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs the bundled script, sends `signal` once it is ready, and returns its exit and output. */
function runScript(args: string[], signal: NodeJS.Signals | null) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (signal !== null && chunk.includes('ready')) child.kill(signal);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('Application signal handling in a real process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops gracefully on %s and exits with code 0',
    async (signal) => {
      const { code, output } = await runScript([], signal);
      expect(output.split('\n').filter(Boolean)).toEqual([
        'ready',
        'worker stopped',
        'exit code 0',
      ]);
      expect(code).toBe(0);
    },
  );

  it('exits with code 1 when the root supervisor gives up', async () => {
    const { code, output } = await runScript(['give-up'], null);
    expect(output).toContain('exit code 1');
    expect(code).toBe(1);
  });
});
