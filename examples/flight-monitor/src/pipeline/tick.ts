/**
 * The hour tick: a marker the source sends to every partition when event time crosses an hour
 * boundary, so that each partition closes its windows at the same boundaries, even one whose
 * airports had no departure in that hour.
 */
import type { Flight } from '../data/flight.js';

/** Tells one partition that every departure before `to` has been sent. */
export class Tick {
  constructor(
    /** The partition the tick is for. */
    readonly partition: number,
    /** The previous tick's boundary (or the first departure's hour). */
    readonly from: number,
    /** This tick's hour boundary, in epoch milliseconds. */
    readonly to: number,
    /** True for the tick after the last departure. */
    readonly final: boolean,
  ) {}
}

/** What the source sends: departures, and ticks between them. */
export type SourceEvent = Flight | Tick;

/**
 * Returns the partition of an origin airport: its three letters as one number, modulo the
 * partition count, which spreads this data set's 229 airports about evenly.
 */
export function partitionOf(airport: string, partitions: number): number {
  let code = 0;
  for (let i = 0; i < airport.length; i++) code = (code * 31 + airport.charCodeAt(i)) >>> 0;
  return code % partitions;
}
