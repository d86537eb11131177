/**
 * Starts the Python process of a worker: `<prefix> <python> -m starweave_bridge` with the
 * handler modules, the frame limit, the name and the channel, and the bundled package on
 * `PYTHONPATH`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { defaultPythonPath } from './python-path.js';
import type { WorkerTransportOptions } from './transport-options.js';
import type { ZmqRouter } from './zmq-router.js';

/**
 * Spawns the worker. Pipe workers get file descriptors 3 and 4 for frames; ZeroMQ workers get
 * `--zmq` with the bound endpoint instead.
 */
export function spawnWorker(
  options: WorkerTransportOptions,
  python: string,
  maxFrameBytes: number,
  identity: string | undefined,
  router: ZmqRouter | undefined,
): ChildProcess {
  const pythonPath = [options.pythonPath ?? defaultPythonPath(), ...(options.handlerPaths ?? [])];
  const inherited = process.env.PYTHONPATH;
  if (inherited) pythonPath.push(inherited);
  const name = identity ?? options.name;
  const args = [
    '-m',
    'starweave_bridge',
    '--handlers',
    options.handlers.join(','),
    '--max-frame-bytes',
    String(maxFrameBytes),
    ...(name === undefined ? [] : ['--name', name]),
    ...(router === undefined ? [] : ['--zmq', router.endpoint]),
    ...(options.args ?? []),
  ];
  const prefix = options.commandPrefix ?? [];
  const [command, ...commandArgs] = [...prefix, python, ...args];
  const pipes: Array<'pipe'> = router === undefined ? ['pipe', 'pipe'] : [];
  return spawn(command!, commandArgs, {
    stdio: ['pipe', 'pipe', 'pipe', ...pipes],
    env: {
      ...process.env,
      ...options.env,
      PYTHONPATH: pythonPath.join(delimiter),
      PYTHONUNBUFFERED: '1',
    },
  });
}
