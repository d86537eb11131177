/**
 * Properties of the process core under random schedules, checked with fast-check on a fixed
 * seed (fast-check prints the seed and the shrunk case on failure): per-pair FIFO delivery, no
 * process both alive and reported down, and exactly one DOWN per monitor.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ActorSystem,
  type DownMessage,
  type Pid,
  type ProcessContext,
  type Reason,
  type Ref,
  silentLogger,
} from '@starweave/actors';
import { settle } from '../helpers.js';

const SEED = 42;

describe('per-pair FIFO delivery', () => {
  it('delivers each sender’s messages in send order under random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }), {
          minLength: 2,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 3 }),
        async (scheduleSeed, plans, receivers) => {
          // Each sender sends its messages in bursts (the sizes in its plan) to every receiver,
          // and yields between bursts by sending itself a 'next' message, so the seeded run
          // queue interleaves the senders differently for each schedule seed.
          const system = new ActorSystem({ logger: silentLogger, seed: scheduleSeed });
          const received = new Map<string, Array<[number, number]>>();
          const sinks: Pid[] = [];
          for (let r = 0; r < receivers; r++) {
            const log: Array<[number, number]> = [];
            const sink = system.spawn({
              handleMessage: (_self, message: [number, number]) => void log.push(message),
            });
            received.set(String(sink), log);
            sinks.push(sink);
          }
          plans.forEach((bursts, sender) => {
            let burst = 0;
            let seq = 0;
            system.spawn({
              init: (self: ProcessContext) => self.send(self.pid, 'next'),
              handleMessage(self: ProcessContext) {
                const size = bursts[burst++];
                if (size === undefined) return;
                for (let i = 0; i < size; i++, seq++) {
                  for (const sink of sinks) self.send(sink, [sender, seq]);
                }
                self.send(self.pid, 'next');
              },
            });
          });
          await settle(system);
          await system.shutdown();

          for (const log of received.values()) {
            plans.forEach((bursts, sender) => {
              const total = bursts.reduce((sum, size) => sum + size, 0);
              const seqs = log.filter(([from]) => from === sender).map(([, seq]) => seq);
              expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
            });
          }
        },
      ),
      { seed: SEED, numRuns: 150, verbose: true },
    );
  });

  it('delivers in send order between async processes under random schedules', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        async (scheduleSeed, senders, count) => {
          const system = new ActorSystem({ logger: silentLogger, seed: scheduleSeed });
          const seen: Array<[number, number]> = [];
          const sink = system.spawn(async (self) => {
            for (let i = 0; i < senders * count; i++) seen.push(await self.receive());
          });
          for (let s = 0; s < senders; s++) {
            system.spawn(async (self) => {
              for (let i = 0; i < count; i++) {
                self.send(sink, [s, i]);
                // Gives the scheduler a chance to run another sender between sends.
                if (i % 3 === 0) await self.tryReceive(() => false, 0);
              }
            });
          }
          await settle(system);
          await system.shutdown();

          expect(seen).toHaveLength(senders * count);
          for (let s = 0; s < senders; s++) {
            expect(seen.filter(([from]) => from === s).map(([, i]) => i)).toEqual(
              Array.from({ length: count }, (_, i) => i),
            );
          }
        },
      ),
      { seed: SEED, numRuns: 150, verbose: true },
    );
  });
});

/** One random step on a pool of processes. */
type Step =
  | { kind: 'spawn'; trapExit: boolean }
  | { kind: 'link'; a: number; b: number }
  | { kind: 'monitor'; target: number }
  | { kind: 'demonitor'; which: number }
  | { kind: 'exit'; target: number; reason: Reason }
  | { kind: 'crash'; target: number }
  | { kind: 'finish'; target: number };

const reasonArbitrary: fc.Arbitrary<Reason> = fc.constantFrom<Reason>(
  'normal',
  'shutdown',
  { shutdown: 'drain' },
  'kill',
  'killed',
  'noproc',
  'timeout',
);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('spawn' as const), trapExit: fc.boolean() }),
  fc.record({ kind: fc.constant('link' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('monitor' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('demonitor' as const), which: fc.nat() }),
  fc.record({ kind: fc.constant('exit' as const), target: fc.nat(), reason: reasonArbitrary }),
  fc.record({ kind: fc.constant('crash' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('finish' as const), target: fc.nat() }),
);

/** A pool member: a callback process that links on request, crashes or ends on request. */
function member(system: ActorSystem, trapExit: boolean): Pid {
  return system.spawn(
    {
      handleMessage(self: ProcessContext, message: any) {
        if (message?.type === 'link') self.link(message.to);
        else if (message?.type === 'crash') throw new Error('crash on request');
        else if (message?.type === 'finish') self.exit('normal');
      },
    },
    { trapExit },
  );
}

describe('liveness and DOWN reports', () => {
  it('never reports a live process as down', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }),
        async (scheduleSeed, steps) => {
          const system = new ActorSystem({ logger: silentLogger, seed: scheduleSeed });
          const pool: Pid[] = [member(system, false), member(system, true)];
          const reportedDown = new Set<string>();
          const violations: string[] = [];
          const watch = (pid: Pid): void => {
            system.monitor(pid, (down: DownMessage) => {
              if (system.isAlive(down.pid)) violations.push(`alive at its DOWN: ${down.pid}`);
              reportedDown.add(String(down.pid));
            });
          };
          system.telemetry.on('process.exited', ({ pid }) => {
            if (system.isAlive(pid)) violations.push(`alive at its exit event: ${pid}`);
          });
          pool.forEach(watch);

          for (const step of steps) {
            const pick = (i: number): Pid => pool[i % pool.length]!;
            switch (step.kind) {
              case 'spawn': {
                const pid = member(system, step.trapExit);
                pool.push(pid);
                watch(pid);
                break;
              }
              case 'link':
                system.send(pick(step.a), { type: 'link', to: pick(step.b) });
                break;
              case 'monitor':
                watch(pick(step.target));
                break;
              case 'demonitor':
                // Every monitor stays in place here, so every process must be reported down.
                break;
              case 'exit':
                system.exit(pick(step.target), step.reason);
                break;
              case 'crash':
                system.send(pick(step.target), { type: 'crash' });
                break;
              case 'finish':
                system.send(pick(step.target), { type: 'finish' });
                break;
            }
            // Checks after every step, while signals are still in flight.
            for (const pid of reportedDown) {
              if (pool.some((p) => String(p) === pid && system.isAlive(p))) {
                violations.push(`alive after its DOWN: ${pid}`);
              }
            }
            if (step.kind === 'crash' || step.kind === 'link' || step.kind === 'finish') {
              await settle(system);
            }
          }
          await settle(system);
          for (const pid of pool) {
            // Alive exactly when no DOWN was reported for it.
            expect(system.isAlive(pid)).toBe(!reportedDown.has(String(pid)));
          }
          await system.shutdown();

          expect(violations).toEqual([]);
          for (const pid of pool) expect(reportedDown.has(String(pid))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 150, verbose: true },
    );
  });

  it('fires every monitor exactly once, and never one that demonitor removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }),
        async (scheduleSeed, steps) => {
          const system = new ActorSystem({ logger: silentLogger, seed: scheduleSeed });
          const pool: Pid[] = [member(system, false), member(system, true)];
          const fired = new Map<number, number>();
          const count = (ref: Ref): void => void fired.set(ref.id, (fired.get(ref.id) ?? 0) + 1);
          // Callback monitors made outside processes, and monitors held by a watcher process
          // that counts the DOWN messages it receives.
          const outside: Array<{ ref: Ref; removed: boolean }> = [];
          const inside: Array<{ ref: Ref; target: Pid }> = [];
          const watcher = system.spawn({
            handleMessage(self: ProcessContext, message: any) {
              if (message?.type === 'watch') inside.push({ ref: self.monitor(message.pid), target: message.pid });
              else if (message?.type === 'DOWN') count(message.ref);
            },
          });

          for (const step of steps) {
            const pick = (i: number): Pid => pool[i % pool.length]!;
            switch (step.kind) {
              case 'spawn':
                pool.push(member(system, step.trapExit));
                break;
              case 'link':
                system.send(pick(step.a), { type: 'link', to: pick(step.b) });
                break;
              case 'monitor':
                outside.push({ ref: system.monitor(pick(step.target), (down) => count(down.ref)), removed: false });
                system.send(watcher, { type: 'watch', pid: pick(step.target) });
                break;
              case 'demonitor': {
                const entry = outside[step.which % Math.max(1, outside.length)];
                // True means the monitor was active, so it must never fire.
                if (entry !== undefined && system.demonitor(entry.ref)) entry.removed = true;
                break;
              }
              case 'exit':
                system.exit(pick(step.target), step.reason);
                break;
              case 'crash':
                system.send(pick(step.target), { type: 'crash' });
                break;
              case 'finish':
                system.send(pick(step.target), { type: 'finish' });
                break;
            }
            if (step.kind !== 'demonitor') await settle(system);
          }
          await settle(system);
          expect(system.isAlive(watcher)).toBe(true);
          const diedBeforeShutdown = new Set(pool.filter((pid) => !system.isAlive(pid)).map(String));
          await system.shutdown();

          for (const { ref, removed } of outside) {
            expect({ ref: String(ref), fired: fired.get(ref.id) ?? 0 }).toEqual({
              ref: String(ref),
              fired: removed ? 0 : 1,
            });
          }
          // The watcher ends at shutdown too, so only targets that died before it count.
          for (const { ref, target } of inside) {
            const expected = diedBeforeShutdown.has(String(target)) ? 1 : 0;
            expect({ ref: String(ref), fired: fired.get(ref.id) ?? 0 }).toEqual({
              ref: String(ref),
              fired: expected,
            });
          }
        },
      ),
      { seed: SEED, numRuns: 150, verbose: true },
    );
  });
});
