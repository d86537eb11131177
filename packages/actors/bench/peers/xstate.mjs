// Actor benchmarks on xstate 5: an actor per machine, started with createActor().start(). Only
// spawn and tell are measured: xstate is a statechart library, and nact and Erlang are the
// peers for message passing among many processes.

import { assign, createActor, createMachine } from 'xstate';
import { measureSpawn, nowNs } from '../../../../benchmarks/lib/measure.mjs';

const INC = Object.freeze({ type: 'inc' });

const idleMachine = createMachine({ id: 'idle', initial: 'idle', states: { idle: {} } });

const counterMachine = createMachine({
  id: 'counter',
  context: { seen: 0 },
  on: { inc: { actions: assign({ seen: ({ context }) => context.seen + 1 }) } },
});

/** Measures creating and starting `count` idle one-state machines; see measureSpawn. */
export function spawn({ count }) {
  return measureSpawn(count, (n) => {
    const actors = new Array(n);
    for (let i = 0; i < n; i++) actors[i] = createActor(idleMachine).start();
    return actors;
  });
}

/**
 * Measures `messages` sends to one counting machine, in messages per second. xstate handles an
 * event synchronously inside send(), so the loop's end is the moment the last one was counted.
 */
export async function tell({ messages }) {
  const counter = createActor(counterMachine).start();

  const start = nowNs();
  for (let i = 0; i < messages; i++) counter.send(INC);
  const elapsed = nowNs() - start;

  const seen = counter.getSnapshot().context.seen;
  if (seen !== messages) throw new Error(`xstate counter saw ${seen} of ${messages} messages`);
  return { perSecond: (messages * 1e9) / elapsed };
}
