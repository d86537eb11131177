/**
 * Calibration counts of the delay model: per bin of predicted probability, how many flights
 * fell in it, the sum of their scores and how many were in fact delayed. Flights of the
 * training month and later flights are counted apart, since the first are in-sample.
 */
import type { Flight } from '../data/flight.js';

/** Flights delayed by more than this many minutes are the model's positive class. */
export const DELAYED_OVER_MINUTES = 15;

/** The model is trained on the flights before this time: January 2001. */
export const TRAINING_END = Date.UTC(2001, 1, 1);

/** Bins of predicted probability, each 1 / BINS wide. */
export const CALIBRATION_BINS = 10;

/** The two groups of flights that calibration counts keep apart. */
export const CALIBRATION_GROUPS = ['training month', 'later months'] as const;

/**
 * Calibration counts as one flat array: for group g and bin b, the entries at
 * `(g * BINS + b) * 3` are the flight count, the sum of scores and the delayed count.
 */
export type Calibration = number[];

/** Returns calibration counts with nothing counted. */
export function emptyCalibration(): Calibration {
  return new Array(CALIBRATION_GROUPS.length * CALIBRATION_BINS * 3).fill(0);
}

/** Counts one scored flight. */
export function addScore(calibration: Calibration, flight: Flight, score: number): void {
  const group = flight.time < TRAINING_END ? 0 : 1;
  const bin = Math.min(CALIBRATION_BINS - 1, Math.floor(score * CALIBRATION_BINS));
  const at = (group * CALIBRATION_BINS + bin) * 3;
  calibration[at] = calibration[at]! + 1;
  calibration[at + 1] = calibration[at + 1]! + score;
  if (flight.delay > DELAYED_OVER_MINUTES) calibration[at + 2] = calibration[at + 2]! + 1;
}

/** Adds the counts of `from` to `into`. */
export function mergeCalibration(into: Calibration, from: Calibration): void {
  for (let i = 0; i < into.length; i++) into[i] = into[i]! + (from[i] ?? 0);
}

/** Returns the number of flights counted. */
export function scoredCount(calibration: Calibration): number {
  let count = 0;
  for (let i = 0; i < calibration.length; i += 3) count += calibration[i]!;
  return count;
}
