/**
 * Argument checks shared by the pattern builder, the engines and the detectors. Each failure is
 * a StarweaveError with code ERR_INVALID_ARGUMENT that names the value and the fix.
 */
import { invalidArgument } from '@starweave/actors';

/** Checks that `value` is a function and returns it. */
export function checkFunction<F>(name: string, value: F): F {
  if (typeof value !== 'function') invalidArgument(name, 'a function', value);
  return value;
}

/** Checks that `value` is a finite number greater than zero. */
export function checkPositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalidArgument(name, 'a finite number greater than 0', value);
  }
  return value;
}

/** Checks that `value` is a finite number of at least zero. */
export function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidArgument(name, 'a finite number of at least 0', value);
  }
  return value;
}

/** Checks that `value` is an integer of at least `min`. */
export function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidArgument(name, `an integer of at least ${min}`, value);
  }
  return value;
}

/** Checks that `value` is a finite number, as event times must be. */
export function checkTime(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalidArgument(
      name,
      'a finite number of milliseconds',
      value,
      'Return a number from the timestamp function.',
    );
  }
  return value;
}

/** Checks that `value` is one of `allowed`. */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    invalidArgument(name, `one of ${allowed.map((item) => `'${item}'`).join(', ')}`, value);
  }
  return value as T;
}
