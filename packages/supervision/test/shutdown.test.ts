/**
 * Shutdown policies, as OTP's child spec defines them: a number sends 'shutdown', waits that
 * many milliseconds for the child to exit, then kills it; 'infinity' waits as long as it takes;
 * 'brutalKill' kills at once. Measured on a VirtualClock.
 */

import { MemoryLogger, type Pid, VirtualClock } from '@starweave/actors';
import { type ShutdownPolicy, Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { pidOf, settle, turns, useSystems, waitUntil, workerSpec } from './helpers.js';

const makeSystem = useSystems();

async function startStubborn(shutdown: ShutdownPolicy) {
  const clock = new VirtualClock();
  const logger = new MemoryLogger();
  const system = makeSystem({ clock, logger });
  const journal: string[] = [];
  // The child traps exits and its terminate never returns, so only a kill ends it.
  const sup = await Supervisor.startLink(system, [
    workerSpec('stubborn', journal, { shutdown }, { trapExit: true, hangOnStop: true }),
  ]);
  const child = pidOf(await Supervisor.whichChildren(system, sup), 'stubborn');
  return { clock, logger, system, journal, sup, child };
}

describe('shutdown policies', () => {
  it('kills a child that has not exited after its shutdown time', async () => {
    const { clock, logger, system, journal, sup, child } = await startStubborn(1000);
    let stopped = false;
    const stopping = Supervisor.terminateChild(system, sup, 'stubborn').then(() => {
      stopped = true;
    });
    // The supervisor waits, suspended, for the child; the child's terminate has begun.
    await waitUntil(() => journal.includes('stop:stubborn'));

    clock.advance(999);
    await turns();
    expect(system.isAlive(child)).toBe(true);
    expect(stopped).toBe(false);

    clock.advance(1);
    await stopping;
    expect(system.isAlive(child)).toBe(false);
    // OTP reports a child killed after its shutdown time as a shutdown error.
    const [entry] = logger.find('supervisor.shutdown_error');
    expect(entry?.fields).toMatchObject({ childId: 'stubborn', reason: 'killed' });
  });

  it("waits as long as it takes with 'infinity'", async () => {
    const { clock, system, journal, sup, child } = await startStubborn('infinity');
    const stopping = Supervisor.terminateChild(system, sup, 'stubborn').catch(() => 'ended');
    await waitUntil(() => journal.includes('stop:stubborn'));
    clock.advance(24 * 3600 * 1000);
    await turns();
    expect(system.isAlive(child)).toBe(true);
    // The system's shutdown ends the wait; the pending request then fails.
    await system.shutdown();
    expect(await stopping).toBe('ended');
  });

  it("kills at once with 'brutalKill', without running terminate", async () => {
    const { logger, system, journal, sup, child } = await startStubborn('brutalKill');
    await Supervisor.terminateChild(system, sup, 'stubborn');
    expect(system.isAlive(child)).toBe(false);
    expect(journal).not.toContain('stop:stubborn');
    expect(logger.find('supervisor.shutdown_error')).toEqual([]);
  });

  it('applies each child its own shutdown time when the supervisor stops', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('a', journal, { shutdown: 300 }, { trapExit: true, hangOnStop: true }),
      workerSpec('b', journal, { shutdown: 200 }, { trapExit: true, hangOnStop: true }),
    ]);
    const children = await Supervisor.whichChildren(system, sup);
    const stopping = Supervisor.stop(system, sup);

    // b stops first (reverse order) and takes its 200 ms; then a takes its 300 ms.
    await settle(system);
    expect(journal.slice(2)).toEqual(['stop:b']);
    clock.advance(200);
    await settle(system);
    expect(system.isAlive(pidOf(children, 'b'))).toBe(false);
    expect(journal.slice(2)).toEqual(['stop:b', 'stop:a']);
    clock.advance(299);
    await settle(system);
    expect(system.isAlive(pidOf(children, 'a'))).toBe(true);
    clock.advance(1);
    await stopping;
    expect(system.isAlive(sup)).toBe(false);
  });

  it('stops a cooperative child without waiting for its shutdown time', async () => {
    const clock = new VirtualClock();
    const system = makeSystem({ clock });
    const journal: string[] = [];
    const sup = await Supervisor.startLink(system, [
      workerSpec('polite', journal, { shutdown: 60_000 }, { trapExit: true }),
    ]);
    const child: Pid = pidOf(await Supervisor.whichChildren(system, sup), 'polite');
    await Supervisor.terminateChild(system, sup, 'polite');
    expect(system.isAlive(child)).toBe(false);
    expect(journal).toEqual(['start:polite', 'stop:polite']);
  });
});
