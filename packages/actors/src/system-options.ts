/**
 * Checks the options of an ActorSystem, so that a wrong clock or logger fails at construction
 * with a clear error instead of at the first timer or the first crash.
 */
import { invalidArgument } from './errors.js';
import type { ActorSystemOptions } from './system.js';

function hasMethods(value: unknown, names: string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

function checkPositiveInteger(name: string, value: unknown): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) <= 0)) {
    invalidArgument(name, 'a positive integer', value);
  }
}

/** Raises ERR_INVALID_ARGUMENT for the first invalid option. */
export function checkSystemOptions(options: ActorSystemOptions): void {
  if (options === null || typeof options !== 'object') {
    invalidArgument('options', 'an options object', options);
  }
  if (options.node !== undefined && (typeof options.node !== 'string' || options.node.length === 0)) {
    invalidArgument('options.node', 'a non-empty string', options.node);
  }
  if (options.logger !== undefined && !hasMethods(options.logger, ['log'])) {
    invalidArgument('options.logger', 'a Logger with a log(level, event, fields) method', options.logger, 'Pass silentLogger, pinoLogger() or your own.');
  }
  if (options.clock !== undefined && !hasMethods(options.clock, ['now', 'setTimeout', 'clearTimeout'])) {
    invalidArgument('options.clock', 'a Clock with now, setTimeout and clearTimeout', options.clock, 'Pass realClock or a VirtualClock.');
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    invalidArgument('options.seed', 'an integer', options.seed);
  }
  checkPositiveInteger('options.sliceBudget', options.sliceBudget);
  checkPositiveInteger('options.processBudget', options.processBudget);
  checkPositiveInteger('options.mailboxWarning', options.mailboxWarning);
}
