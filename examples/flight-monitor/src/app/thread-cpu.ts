/**
 * Processor time of the main thread alone, which runs every stage and so bounds the pipeline.
 * `process.cpuUsage()` adds up all threads, worker threads and SQLite's included.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times; 100 on every Linux kernel Node.js supports. */
const TICKS_PER_SECOND = 100;

/**
 * Returns the processor time (user and system) the main thread has used, in milliseconds,
 * from `/proc/self/task/PID/stat` on Linux (in 10 ms steps), or the whole process's time
 * elsewhere.
 */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
}
