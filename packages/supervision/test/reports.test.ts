/**
 * Supervisor reports: log entries and telemetry events named supervisor.child_started,
 * child_exited, child_restarted and shutdown, carrying the fields of OTP's supervisor reports.
 */

import { MemoryLogger, type Pid } from '@starweave/actors';
import { Supervisor, SupervisorEvent, type SupervisorEventFields } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { castExit, pidOf, useSystems, workerSpec } from './helpers.js';

const makeSystem = useSystems();

describe('supervisor reports', () => {
  it('emits started, exited and restarted events with the crash-report fields', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const events: Array<[string, SupervisorEventFields]> = [];
    for (const name of [
      SupervisorEvent.childStarted,
      SupervisorEvent.childExited,
      SupervisorEvent.childRestarted,
    ]) {
      system.telemetry.on(name, (event: SupervisorEventFields) => events.push([name, event]));
    }
    const sup = await Supervisor.startLink(system, [workerSpec('a', [])], { name: 'reporting' });
    const first = pidOf(await Supervisor.whichChildren(system, sup), 'a');
    system.exit(first, 'kill');
    const second = pidOf(await Supervisor.whichChildren(system, sup), 'a');

    expect(events.map(([name]) => name)).toEqual([
      'supervisor.child_started',
      'supervisor.child_exited',
      'supervisor.child_started',
      'supervisor.child_restarted',
    ]);
    expect(events[1]![1]).toEqual({
      supervisor: sup,
      supervisorName: 'reporting',
      childId: 'a',
      childPid: first,
      restart: 'permanent',
      type: 'worker',
      reason: 'killed',
    });
    expect(events[3]![1]).toMatchObject({ childId: 'a', childPid: second });

    const [exited] = logger.find('supervisor.child_exited');
    expect(exited?.level).toBe('error');
    expect(exited?.fields).toMatchObject({
      supervisor: sup,
      childId: 'a',
      childPid: first,
      reason: 'killed',
    });
  });

  it('logs a normal exit of a transient child at info level', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const sup = await Supervisor.startLink(system, [workerSpec('t', [], { restart: 'transient' })]);
    const pid: Pid = pidOf(await Supervisor.whichChildren(system, sup), 't');
    const down = new Promise((resolve) => system.monitor(pid, resolve));
    castExit(system, pid, 'normal');
    await down;
    await Supervisor.whichChildren(system, sup);
    const [exited] = logger.find('supervisor.child_exited');
    expect(exited?.level).toBe('info');
    expect(exited?.fields.reason).toBe('normal');
  });

  it('reports supervisor.shutdown with the child and reason when the intensity is reached', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const shutdowns: SupervisorEventFields[] = [];
    system.telemetry.on(SupervisorEvent.shutdown, (event: SupervisorEventFields) =>
      shutdowns.push(event),
    );
    const sup = await Supervisor.startLink(system, [workerSpec('a', [])], { maxRestarts: 0 });
    const child = pidOf(await Supervisor.whichChildren(system, sup), 'a');
    const exited = new Promise((resolve) => system.monitor(sup, resolve));
    system.exit(child, 'kill');
    await exited;

    expect(shutdowns).toHaveLength(1);
    expect(shutdowns[0]).toMatchObject({
      supervisor: sup,
      childId: 'a',
      childPid: child,
      reason: 'killed',
    });
    expect(logger.find('supervisor.shutdown')[0]?.level).toBe('error');
  });

  it('reports a failed child start as supervisor.start_error', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const reason = new Error('bad config');
    await Supervisor.startLink(system, [workerSpec('a', [], {}, { failStart: reason })]).catch(
      () => {},
    );
    expect(logger.find('supervisor.start_error')[0]?.fields).toMatchObject({
      childId: 'a',
      reason,
    });
  });
});
