// Describes the machine a benchmark ran on, for benchmarks/results/meta.json.

import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Describes this machine: CPU model, core count, total memory, Node.js version and OS.
 * The OS name comes from /etc/os-release where it exists (a Debian release, say), since
 * os.release() alone gives only the kernel.
 */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${readOsName()}, ${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function readOsName() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    return match?.[1] ?? os.platform();
  } catch {
    return os.platform();
  }
}
