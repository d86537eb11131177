/**
 * Application: ordered start, and a graceful stop in reverse order on request or on a signal,
 * bounded by a timeout. The exit code is 0 for a stop that completed, and 1 when a start
 * failed, a root supervisor gave up or the stop ran out of time.
 */

import { MemoryLogger, type Pid, type ProcessContext, VirtualClock } from '@starweave/actors';
import { Application, type ApplicationModule, Supervisor } from '@starweave/supervision';
import { describe, expect, it } from 'vitest';
import { pidOf, turns, useSystems, waitUntil, workerSpec } from './helpers.js';

const makeSystem = useSystems();

/** Returns an application whose root supervisor runs one trapping worker that journals. */
function journaling(
  name: string,
  journal: string[],
  extra: Partial<ApplicationModule> = {},
): ApplicationModule {
  return {
    name,
    start: (ctx: ProcessContext) =>
      Supervisor.startLink(ctx, [workerSpec(name, journal, {}, { trapExit: true })], {
        maxRestarts: 1,
      }),
    stop: () => {
      journal.push(`app-stopped:${name}`);
    },
    ...extra,
  };
}

describe('Application.start', () => {
  it('starts in order, stops in reverse, exit code 0', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const app = await Application.start(system, [
      journaling('db', journal),
      journaling('web', journal),
    ]);
    expect(app.status).toBe('running');
    expect(journal).toEqual(['start:db', 'start:web']);
    expect(system.isAlive(app.whereis('db')!)).toBe(true);

    expect(await app.stop()).toBe(0);
    expect(await app.exitCode).toBe(0);
    expect(app.status).toBe('stopped');
    expect(journal.slice(2)).toEqual(['stop:web', 'app-stopped:web', 'stop:db', 'app-stopped:db']);
    expect(system.processCount()).toBe(1);
  });

  it('passes each application its configuration and gives stop the state start returned', async () => {
    const system = makeSystem();
    const seen: unknown[] = [];
    const module: ApplicationModule<{ port: number }, string> = {
      name: 'configured',
      start: async (ctx, config) => {
        seen.push(config.port);
        return { pid: await Supervisor.startLink(ctx, []), state: `listening on ${config.port}` };
      },
      stop: (state) => {
        seen.push(state);
      },
    };
    const app = await Application.start(system, [{ module, config: { port: 8080 } }]);
    await app.stop();
    expect(seen).toEqual([8080, 'listening on 8080']);
  });

  it('stops started applications when a start fails', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const journal: string[] = [];
    const broken: ApplicationModule = {
      name: 'broken',
      start: (ctx) =>
        Supervisor.startLink(ctx, [
          workerSpec('x', journal, {}, { failStart: new Error('no config') }),
        ]),
    };
    const app = await Application.start(system, [
      journaling('db', journal),
      broken,
      journaling('web', journal),
    ]);

    expect(await app.exitCode).toBe(1);
    expect(app.failure?.application).toBe('broken');
    expect(journal).toEqual(['start:db', 'stop:db', 'app-stopped:db']);
    const [entry] = logger.find('application.start_failed');
    expect(entry?.level).toBe('error');
    expect(entry?.fields.application).toBe('broken');
  });

  it('rejects bad arguments with ERR_INVALID_ARGUMENT', async () => {
    const system = makeSystem();
    await expect(Application.start(system, [])).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const noName = {
      start: () => Promise.reject(new Error('unused')),
    } as unknown as ApplicationModule;
    await expect(Application.start(system, [noName])).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const twice = journaling('same', []);
    await expect(Application.start(system, [twice, twice])).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});

describe('an application whose root supervisor gives up', () => {
  it('stops the other applications and resolves exit code 1 with the reason logged', async () => {
    const logger = new MemoryLogger();
    const system = makeSystem({ logger });
    const journal: string[] = [];
    const app = await Application.start(system, [
      journaling('db', journal),
      journaling('web', journal),
    ]);
    const root = app.whereis('web')!;
    // maxRestarts is 1: the second crash passes the intensity.
    for (let i = 0; i < 2; i++) {
      const children = await Supervisor.whichChildren(system, root);
      system.exit(pidOf(children, 'web'), 'kill');
    }

    expect(await app.exitCode).toBe(1);
    expect(app.failure).toEqual({ application: 'web', reason: 'shutdown' });
    expect(journal).toContain('stop:db');
    expect(logger.find('application.exited')[0]?.fields).toMatchObject({
      application: 'web',
      reason: 'shutdown',
    });
  });
});

describe('an actor system shut down under running applications', () => {
  it('ends the applications with exit code 1 instead of leaving exitCode pending', async () => {
    const system = makeSystem();
    const app = await Application.start(system, [journaling('a', []), journaling('b', [])]);
    await system.shutdown();
    expect(await app.exitCode).toBe(1);
    expect(app.status).toBe('stopped');
  });
});

describe('stopping on signals', () => {
  it('stops gracefully on SIGTERM when handleSignals is set, and removes its handlers', async () => {
    const system = makeSystem();
    const journal: string[] = [];
    const listeners = process.listenerCount('SIGTERM');
    const interrupts = process.listenerCount('SIGINT');
    const app = await Application.start(system, [journaling('svc', journal)], {
      handleSignals: true,
    });
    expect(process.listenerCount('SIGTERM')).toBe(listeners + 1);
    expect(process.listenerCount('SIGINT')).toBe(interrupts + 1);

    process.emit('SIGTERM', 'SIGTERM');
    expect(await app.run()).toBe(0);
    expect(journal).toEqual(['start:svc', 'stop:svc', 'app-stopped:svc']);
    expect(process.listenerCount('SIGTERM')).toBe(listeners);
    expect(process.listenerCount('SIGINT')).toBe(interrupts);
  });

  it('installs no handlers without handleSignals', async () => {
    const system = makeSystem();
    const before = process.listenerCount('SIGINT');
    const app = await Application.start(system, [journaling('svc', [])]);
    expect(process.listenerCount('SIGINT')).toBe(before);
    await app.stop();
  });
});

describe('stop timeout', () => {
  it('kills what is still running after stopTimeoutMs and resolves exit code 1', async () => {
    const clock = new VirtualClock();
    const logger = new MemoryLogger();
    const system = makeSystem({ clock, logger });
    const journal: string[] = [];
    const stuck: ApplicationModule = {
      name: 'stuck',
      start: (ctx) =>
        Supervisor.startLink(ctx, [
          workerSpec('w', journal, { shutdown: 'infinity' }, { trapExit: true, hangOnStop: true }),
        ]),
    };
    const app = await Application.start(system, [stuck], { stopTimeoutMs: 2000 });
    const root: Pid = app.whereis('stuck')!;
    const stopping = app.stop();
    await waitUntil(() => journal.includes('stop:w'));
    clock.advance(1999);
    await turns();
    expect(system.isAlive(root)).toBe(true);

    clock.advance(1);
    expect(await stopping).toBe(1);
    expect(system.isAlive(root)).toBe(false);
    expect(logger.find('application.stop_timeout')[0]?.fields).toMatchObject({
      application: 'stuck',
    });
  });
});
