/**
 * Automatic shutdown (OTP 24+): a supervisor with significant children shuts itself down with
 * reason 'shutdown' when any or all of them end by themselves, but not when it stops them.
 */

import type { Pid, Reason } from '@starweave/actors';
import { Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { castExit, pidOf, settle, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

function reasonOf(system: ReturnType<typeof makeSystem>, pid: Pid): Promise<Reason> {
  return new Promise((resolve) => system.monitor(pid, (down) => resolve(down.reason)));
}

describe('autoShutdown', () => {
  it('anySignificant: a transient significant child exiting normally shuts the supervisor down', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const sup = await Supervisor.startLink(
      system,
      [
        workerSpec('other', journal, {}, { trapExit: true }),
        workerSpec('job', journal, { restart: 'transient', significant: true }),
      ],
      { autoShutdown: 'anySignificant' },
    );
    const supReason = reasonOf(system, sup);
    castExit(system, pidOf(await Supervisor.whichChildren(system, sup), 'job'), 'normal');
    expect(await supReason).toBe('shutdown');
    expect(journal).toContain('stop:other');
  });

  it('anySignificant: a transient significant child that crashes is restarted instead', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(
      system,
      [workerSpec('job', [], { restart: 'transient', significant: true })],
      { autoShutdown: 'anySignificant' },
    );
    system.exit(pidOf(await Supervisor.whichChildren(system, sup), 'job'), 'kill');
    const [child] = await Supervisor.whichChildren(system, sup);
    expect(system.isAlive(child!.pid as Pid)).toBe(true);
  });

  it('allSignificant: shuts down only when the last significant child has ended', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(
      system,
      [
        workerSpec('one', [], { restart: 'temporary', significant: true }),
        workerSpec('two', [], { restart: 'temporary', significant: true }),
        workerSpec('plain', []),
      ],
      { autoShutdown: 'allSignificant' },
    );
    const supReason = reasonOf(system, sup);
    const children = await Supervisor.whichChildren(system, sup);

    system.exit(pidOf(children, 'one'), 'kill');
    await Supervisor.whichChildren(system, sup);
    expect(system.isAlive(sup)).toBe(true);

    system.exit(pidOf(children, 'two'), 'kill');
    expect(await supReason).toBe('shutdown');
  });

  it('does not shut down when the supervisor itself stops a significant child', async () => {
    const system = makeSystem();
    const sup = await Supervisor.startLink(
      system,
      [workerSpec('job', [], { restart: 'transient', significant: true })],
      { autoShutdown: 'anySignificant' },
    );
    await Supervisor.terminateChild(system, sup, 'job');
    await settle(system);
    expect(system.isAlive(sup)).toBe(true);
  });
});
