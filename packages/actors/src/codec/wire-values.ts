/**
 * Wrappers that carry a Map, a Set, a bigint, an error or an awkward number to the msgpack
 * encoder. msgpackr writes Maps, bigints and numbers natively before it looks at extensions, so
 * the codec wraps them first.
 */

/** A `Map` on its way to extension 0x15: its keys and values in turn. */
export class WireMap {
  constructor(readonly flat: unknown[]) {}
}

/** A `Set` on its way to extension 0x16. */
export class WireSet {
  constructor(readonly members: unknown[]) {}
}

/** A bigint on its way to extension 0x14. */
export class WireBigInt {
  constructor(readonly value: bigint) {}
}

/** The fields of an error on their way to extension 0x13. */
export interface ErrorFields {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: unknown;
  cause?: unknown;
}

/** An error on its way to extension 0x13. */
export class WireError {
  constructor(readonly fields: ErrorFields) {}
}

/** A safe integer outside 32 bits, which msgpackr would otherwise write as a float64. */
export class WireInt64 {
  constructor(readonly value: number) {}
}

/** Negative zero, which msgpackr would otherwise write as the integer 0. */
export class WireNegativeZero {}
