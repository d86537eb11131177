// Percentiles of individually timed calls, shared by the GenServer peers.

/**
 * Returns the median and the 99th percentile (nearest rank) of `timesNs`, in microseconds.
 * Sorts `timesNs` in place.
 * @param {Float64Array} timesNs call durations in nanoseconds
 */
export function latencySummary(timesNs) {
  timesNs.sort();
  const rank = (fraction) => timesNs[Math.max(0, Math.ceil(fraction * timesNs.length) - 1)];
  return { p50Us: rank(0.5) / 1000, p99Us: rank(0.99) / 1000 };
}
