/**
 * Traces: what they record, in which order, how they print, and how failures carry them.
 */

import {
  ActorSystem,
  isStarweaveError,
  Pid,
  type ProcessContext,
  silentLogger,
} from '@starweave/actors';
import { attachTrace, startTrace, type Trace, withTrace } from '@starweave/testing';
import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestSystems } from './helpers.js';

const newTestSystem = useTestSystems();

describe('startTrace', () => {
  it('records spawns, sends, exits and exits over links in order', async () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    const parent = t.system.spawn(async (self: ProcessContext) => {
      self.spawnLink({ handleMessage() {} }, { name: 'child' });
      await self.receive({ type: 'stop' });
    });
    await t.runUntilIdle();
    const child = t.system.whereis('child')!;

    t.system.send(parent, { type: 'hello' });
    await t.advance(10);
    t.system.exit(child, new Error('boom'));
    await t.runUntilIdle();

    const entries = trace.entries();
    expect(entries.map((entry) => entry.kind)).toEqual([
      'spawn',
      'spawn',
      'send',
      'exit',
      'link_exit',
      'exit',
    ]);
    expect(entries.map((entry) => entry.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(entries.map((entry) => entry.atMs)).toEqual([0, 0, 0, 10, 10, 10]);
    expect(entries[4]).toMatchObject({ kind: 'link_exit', pid: parent, from: child });
  });

  it('prints one line per entry with time, kind and details', async () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    const pid = t.system.spawn({ handleMessage() {} }, { name: 'worker' });
    t.system.send(pid, { type: 'job', id: 1 });
    await t.advance(25);
    t.system.exit(pid, 'kill');

    const lines = trace.format().split('\n');

    expect(lines[0]).toBe('trace of 3 events, times in ms since the trace started:');
    expect(lines[1]).toBe(`       0  spawn     ${pid} (worker)`);
    expect(lines[2]).toBe(`       0  send      ${t.system.pid} -> ${pid}  { type: 'job', id: 1 }`);
    expect(lines[3]).toBe(`      25  exit      ${pid} (worker) reason killed`);
  });

  it('records supervisor restarts and prints their fields', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    const supervisor = new Pid('local', 40);
    const childPid = new Pid('local', 41);

    t.system.telemetry.emit('supervisor.child_restarted', {
      supervisor,
      supervisorName: 'root',
      childId: 'cache',
      childPid,
      restart: 'permanent',
      type: 'worker',
      reason: 'killed',
    });

    expect(trace.entries().map((entry) => entry.kind)).toEqual(['restart']);
    expect(trace.format()).toContain(
      `restart   supervisor ${supervisor} (root) child 'cache' ${childPid} reason killed`,
    );
  });

  it('records other supervisor events and the events it is told to', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system, { events: ['stage.events_dropped'] });

    // Partial payloads: the trace must record whatever fields an event carries.
    t.system.telemetry.emit('supervisor.shutdown', {
      supervisor: new Pid('local', 5),
      reason: 'shutdown',
    } as never);
    t.system.telemetry.emit('stage.events_dropped', { count: 3 } as never);
    t.system.telemetry.emit('unrelated.event', { count: 4 });

    const lines = trace.format().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('event     supervisor.shutdown supervisor <0.5.0> reason shutdown');
    expect(lines[1]).toContain('event     stage.events_dropped { count: 3 }');
  });

  it('keeps the last maxEntries entries and counts the dropped ones', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system, { maxEntries: 3 });

    for (let n = 0; n < 5; n++) trace.note(`note ${n}`);

    expect(trace.entries().map((entry) => (entry.kind === 'note' ? entry.text : ''))).toEqual([
      'note 2',
      'note 3',
      'note 4',
    ]);
    expect(trace.dropped).toBe(2);
    expect(trace.format().split('\n')[0]).toBe(
      'trace of 5 events (the first 2 not shown), times in ms since the trace started:',
    );
  });

  it('prints only the last entries when asked', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    for (let n = 0; n < 4; n++) trace.note(`note ${n}`);

    const lines = trace.format({ last: 2 }).split('\n');

    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('(the first 2 not shown)');
    expect(lines[2]).toContain('note 3');
  });

  it('records no sends when told not to', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system, { sends: false });
    const pid = t.system.spawn({ handleMessage() {} });

    t.system.send(pid, 'ignored');

    expect(trace.entries().map((entry) => entry.kind)).toEqual(['spawn']);
  });

  it('records nothing after stop and forgets everything on clear', () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    trace.note('kept');
    trace.stop();

    t.system.spawn({ handleMessage() {} });
    expect(trace.entries()).toHaveLength(1);
    expect(trace.isStopped).toBe(true);

    trace.clear();
    expect(trace.entries()).toEqual([]);
  });

  it('prints fractions of milliseconds on the real clock', async () => {
    const system = new ActorSystem({ logger: silentLogger });
    const trace = startTrace(system);
    await new Promise((resolve) => setTimeout(resolve, 5));

    trace.note('later');

    expect(trace.format().split('\n')[1]).toMatch(/^\s+\d+\.\d {2}note {6}later$/);
    await system.shutdown();
  });

  it('fails with ERR_INVALID_ARGUMENT for maxEntries below one', () => {
    const t = newTestSystem({ trace: false });
    let error: unknown;
    try {
      startTrace(t.system, { maxEntries: 0 });
    } catch (thrown) {
      error = thrown;
    }

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('attachTrace', () => {
  it("appends the trace to an error's message and stack", () => {
    const t = newTestSystem({ trace: false });
    const trace = startTrace(t.system);
    trace.note('the step that failed');

    const error = attachTrace(new Error('expected 2, got 3'), trace);

    expect(error.message).toMatch(/^expected 2, got 3\n\ntrace of 1 events/);
    expect(error.message).toContain('the step that failed');
    expect(error.stack).toContain('the step that failed');
  });

  it('fails with ERR_INVALID_ARGUMENT for something that is not a trace', () => {
    let error: unknown;
    try {
      attachTrace(new Error('x'), {} as Trace);
    } catch (thrown) {
      error = thrown;
    }

    expect(isStarweaveError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('withTrace', () => {
  it('appends the trace when the function fails and stops it either way', async () => {
    const t = newTestSystem({ trace: false });
    let kept: Trace | undefined;

    const error = await rejectionOf(
      withTrace(t.system, (trace) => {
        kept = trace;
        t.system.spawn({ handleMessage() {} }, { name: 'visible' });
        throw new Error('check failed');
      }),
    );

    expect((error as Error).message).toContain('check failed');
    expect((error as Error).message).toContain('(visible)');
    expect(kept?.isStopped).toBe(true);
  });

  it('returns the result when the function succeeds', async () => {
    const t = newTestSystem({ trace: false });

    expect(await withTrace(t.system, () => 42)).toBe(42);
  });
});
