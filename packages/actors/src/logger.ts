/**
 * The structured logger owned by a system. Entries are an event name in `area.snake_case`
 * plus fields; formatting belongs to the logger, not to the call site.
 */
import pino, { type DestinationStream, destination, stdSerializers } from 'pino';

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A structured logger: one event name plus fields per entry. */
export interface Logger {
  /** Writes one entry, such as `log('error', 'process.crashed', { pid, reason })`. */
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops every entry, for tests and benchmarks. */
export const silentLogger: Logger = { log() {} };

/** A logger that keeps entries in memory, so tests can assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly entries: Array<{ level: LogLevel; event: string; fields: Record<string, unknown> }> = [];

  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level, event, fields });
  }

  /** Returns the entries with the given event name. */
  find(event: string): Array<{ level: LogLevel; event: string; fields: Record<string, unknown> }> {
    return this.entries.filter((entry) => entry.event === event);
  }
}

/** Options of {@link pinoLogger}. */
export interface PinoLoggerOptions {
  /** Lowest level written. Default `'info'`, or `LOG_LEVEL` from the environment. */
  level?: LogLevel;
  /** Where entries go. Default: standard error, so stdout stays free for program output. */
  destination?: NodeJS.WritableStream;
}

function plainFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    // Pids and refs print as <0.42.0>; errors keep their stack through pino's err serializer.
    out[key] =
      value instanceof Error
        ? value
        : value !== null && typeof value === 'object' && 'toJSON' in value
          ? String(value)
          : value;
  }
  return out;
}

/** Creates the default logger: pino writing JSON lines to standard error. */
export function pinoLogger(options: PinoLoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const instance = pino(
    { level, base: undefined, serializers: { reason: stdSerializers.err, err: stdSerializers.err } },
    (options.destination ?? destination(2)) as DestinationStream,
  );
  return {
    log(entryLevel, event, fields = {}) {
      instance[entryLevel]({ event, ...plainFields(fields) }, event);
    },
  };
}
