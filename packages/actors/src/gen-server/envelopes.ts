/**
 * The messages a GenServer process receives from its API functions. Classes, so that the
 * server tells them apart from user messages with one `instanceof` check.
 */
import type { Reason } from '../reason.js';
import type { From } from './types.js';

/** A call: the request and where the reply goes. */
export class CallEnvelope {
  constructor(
    readonly from: From,
    readonly request: unknown,
  ) {}
}

/** A cast: a request with no reply. */
export class CastEnvelope {
  constructor(readonly request: unknown) {}
}

/** A request to stop with `reason`, sent by `GenServer.stop`. */
export class StopEnvelope {
  constructor(readonly reason: Reason) {}
}

/** A request for the server's state or status, as `sys:get_state` and `sys:get_status`. */
export class InspectEnvelope {
  constructor(
    readonly from: From,
    readonly what: 'state' | 'status',
  ) {}
}

/** The inactivity timeout; `generation` tells a current timeout from a cancelled one. */
export class InactivityTimeout {
  constructor(readonly generation: number) {}
}
