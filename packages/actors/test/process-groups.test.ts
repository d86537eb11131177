/**
 * ProcessGroups, after Erlang's pg: join and leave counted per membership, members listed once
 * per join, and members removed when they end, before their monitors fire.
 */
import { describe, expect, it } from 'vitest';
import { type ActorSystem, type Pid, ProcessGroups } from '@starweave/actors';
import { hasCode, thrownBy, useSystems, waitUntil } from './helpers.js';

const newSystem = useSystems();

function idle(system: ActorSystem): Pid {
  return system.spawn({ handleMessage() {} });
}

const names = (pids: Pid[]): string[] => pids.map(String).sort();

describe('ProcessGroups.join', () => {
  it('adds the process to the group', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    const b = idle(system);

    groups.join('workers', a);
    groups.join('workers', b);

    expect(names(groups.members('workers'))).toEqual(names([a, b]));
    expect(groups.whichGroups()).toEqual(['workers']);
  });

  it('lists a process once per join', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);

    groups.join('workers', a);
    groups.join('workers', a);

    expect(names(groups.members('workers'))).toEqual(names([a, a]));
  });

  it('ignores a pid that is not alive', async () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const dead = system.spawn(async () => {});
    await waitUntil(() => !system.isAlive(dead));

    groups.join('workers', dead);

    expect(groups.members('workers')).toEqual([]);
    expect(groups.whichGroups()).toEqual([]);
  });

  it('fails with ERR_INVALID_ARGUMENT naming a group that is not a string', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);

    const error = thrownBy(() => groups.join(7 as unknown as string, idle(system)));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('7');
  });

  it('fails with ERR_INVALID_ARGUMENT naming a pid that is not a Pid', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);

    const error = thrownBy(() => groups.join('workers', '<0.1.0>' as unknown as Pid));

    expect(hasCode(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"<0.1.0>"');
  });
});

describe('ProcessGroups.leave', () => {
  it('removes one membership per call', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    groups.join('workers', a);
    groups.join('workers', a);

    expect(groups.leave('workers', a)).toBe(true);
    expect(names(groups.members('workers'))).toEqual(names([a]));
    expect(groups.leave('workers', a)).toBe(true);

    expect(groups.members('workers')).toEqual([]);
    expect(groups.whichGroups()).toEqual([]);
  });

  it('returns false for a process that is not a member', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    groups.join('workers', idle(system));

    expect(groups.leave('workers', a)).toBe(false);
    expect(groups.leave('nobody', a)).toBe(false);
  });

  it('keeps the other groups of the process', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    groups.join('workers', a);
    groups.join('readers', a);

    groups.leave('workers', a);

    expect(names(groups.members('readers'))).toEqual(names([a]));
  });
});

describe('ProcessGroups members of ended processes', () => {
  it('are removed from every group when the process ends', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    const b = idle(system);
    groups.join('workers', a);
    groups.join('workers', a);
    groups.join('readers', a);
    groups.join('workers', b);

    system.exit(a, 'kill');

    expect(names(groups.members('workers'))).toEqual(names([b]));
    expect(groups.members('readers')).toEqual([]);
    expect(groups.whichGroups()).toEqual(['workers']);
  });

  it('are removed before monitors fire', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    groups.join('workers', a);
    let membersAtDown = -1;
    system.monitor(a, () => {
      membersAtDown = groups.members('workers').length;
    });

    system.exit(a, 'shutdown');

    expect(membersAtDown).toBe(0);
  });

  it('do not come back after the process ended and a new one joins', () => {
    const system = newSystem();
    const groups = new ProcessGroups(system);
    const a = idle(system);
    groups.join('workers', a);
    groups.leave('workers', a);
    groups.join('workers', a);
    system.exit(a, 'shutdown');
    const b = idle(system);

    groups.join('workers', b);

    expect(names(groups.members('workers'))).toEqual(names([b]));
  });
});
