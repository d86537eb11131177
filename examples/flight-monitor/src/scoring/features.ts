/**
 * The delay model's inputs: flights as columns of typed arrays, which the bridge sends to
 * Python as numpy arrays.
 */
import { airportNumber, type Flight, HOUR_MS } from '../data/flight.js';

const DAY_MS = 24 * HOUR_MS;

/**
 * Feature columns of some flights, one entry per flight. Small integers are Int8Array because
 * the codec sends a Uint8Array as bytes, not as a numpy array.
 */
export interface FeatureColumns {
  /** Hour of departure, 0 to 23. */
  hour: Int8Array;
  /** Day of the week, 0 (Sunday) to 6. */
  weekday: Int8Array;
  /** Distance in miles. */
  distance: Float32Array;
  /** Origin and destination as {@link airportNumber} codes. */
  origin: Int32Array;
  destination: Int32Array;
}

/** Builds the feature columns of `flights`. */
export function featureColumns(flights: readonly Flight[]): FeatureColumns {
  const count = flights.length;
  const columns: FeatureColumns = {
    hour: new Int8Array(count),
    weekday: new Int8Array(count),
    distance: new Float32Array(count),
    origin: new Int32Array(count),
    destination: new Int32Array(count),
  };
  for (let i = 0; i < count; i++) {
    const flight = flights[i]!;
    const day = Math.floor(flight.time / DAY_MS);
    columns.hour[i] = Math.floor((flight.time - day * DAY_MS) / HOUR_MS);
    // 1 January 1970 was a Thursday (day 4 of a week that starts on Sunday).
    columns.weekday[i] = (((day + 4) % 7) + 7) % 7;
    columns.distance[i] = flight.distance;
    columns.origin[i] = airportNumber(flight.origin);
    columns.destination[i] = airportNumber(flight.destination);
  }
  return columns;
}
