/**
 * Explains why a worker failed to start: probes the interpreter for its version and for the
 * modules the worker imports, so the error says "Python 3.6 is too old" or "msgpack is missing"
 * rather than showing only a traceback. The probe runs only after a failed start.
 */
import { spawn } from 'node:child_process';

/** The oldest Python that runs `starweave_bridge` (it uses `X | None` annotations at runtime). */
export const MIN_PYTHON_VERSION: readonly [number, number] = [3, 10];

/** The third-party modules the worker imports at start. */
export const REQUIRED_MODULES = ['msgpack', 'numpy'] as const;

const PROBE_TIMEOUT_MS = 10_000;

// Python 2 parses this too, so a very old interpreter still reports its version.
const PROBE_SOURCE = [
  'import sys',
  'print("%d.%d.%d" % tuple(sys.version_info[:3]))',
  `for name in (${REQUIRED_MODULES.map((name) => `"${name}"`).join(', ')},):`,
  '    try:',
  '        __import__(name)',
  '    except ImportError:',
  '        print("missing " + name)',
].join('\n');

/** What the probe found about an interpreter. */
export interface InterpreterReport {
  /** The version as `major.minor.patch`, or undefined when the probe printed none. */
  version: string | undefined;
  /** Required modules that failed to import. */
  missing: string[];
}

/** Runs the probe with `python`; resolves undefined when it cannot run or prints nothing. */
export function probeInterpreter(python: string): Promise<InterpreterReport | undefined> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', PROBE_SOURCE], { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const lines = output.split('\n').map((line) => line.trim());
      const version = lines.find((line) => /^\d+\.\d+\.\d+$/.test(line));
      const missing = lines
        .filter((line) => line.startsWith('missing '))
        .map((line) => line.slice('missing '.length));
      resolve(version === undefined && missing.length === 0 ? undefined : { version, missing });
    });
  });
}

/**
 * Returns one sentence on what is wrong with the interpreter, or undefined when the probe found
 * nothing wrong.
 */
export function describeInterpreterProblem(
  python: string,
  report: InterpreterReport | undefined,
): string | undefined {
  if (report === undefined) return undefined;
  const [major, minor] = MIN_PYTHON_VERSION;
  if (report.version !== undefined) {
    const [actualMajor = 0, actualMinor = 0] = report.version.split('.').map(Number);
    if (actualMajor < major || (actualMajor === major && actualMinor < minor)) {
      return (
        `${python} is Python ${report.version}, but starweave_bridge needs Python ` +
        `${major}.${minor} or later. Pass the python option or set STARWEAVE_PYTHON to a newer ` +
        'interpreter, such as /usr/bin/python3.'
      );
    }
  }
  if (report.missing.length > 0) {
    return (
      `${python} cannot import ${report.missing.join(' and ')}. Use an interpreter that has ` +
      'them (on Debian /usr/bin/python3 with python3-msgpack and python3-numpy), or a virtual ' +
      'environment made with --system-site-packages from it.'
    );
  }
  return undefined;
}
