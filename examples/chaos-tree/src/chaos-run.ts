/**
 * A supervised tree under a seeded chaos monkey: two counters and a nested supervisor of two
 * more, killed at random on a fixed interval. The run records every restart the supervisors
 * report, then checks that the tree came back whole.
 */
import {
  ActorSystem,
  GenServer,
  type Pid,
  type ProcessContext,
  formatReason,
  silentLogger,
} from '@starweave/actors';
import { Supervisor, type SupervisorEventFields } from '@starweave/supervision';
import { chaosMonkey } from '@starweave/testing';

type CounterProtocol = {
  calls: { request: { type: 'count' }; reply: number };
  casts: { type: 'tick' };
};

const Counter: GenServer.Spec<number, void, CounterProtocol> = {
  init: () => ({ state: 0 }),
  handleCall: (_request, _from, count) => ({ reply: count, state: count }),
  handleCast: (_cast, count) => ({ noreply: true, state: count + 1 }),
};

function counter(id: string) {
  return { id, start: (ctx: ProcessContext) => GenServer.startLink(ctx, Counter, undefined) };
}

/** One restart a supervisor reported. */
export interface RestartSeen {
  atMs: number;
  supervisor: string;
  childId: string;
  reason: string;
}

/** What a chaos run saw. */
export interface ChaosReport {
  seed: number;
  kills: number;
  restarts: RestartSeen[];
  /** Child ids alive at the end, per supervisor. */
  alive: Record<string, string[]>;
}

/** Options of {@link runChaos}. */
export interface ChaosRunOptions {
  seed: number;
  /** Kills before the monkey stops. Default 12. */
  kills?: number;
  /** Time between kills in milliseconds. Default 20. */
  intervalMs?: number;
}

async function aliveIds(system: ActorSystem, sup: Pid): Promise<string[]> {
  const children = await Supervisor.whichChildren(system, sup);
  return children.filter((child) => child.pid !== undefined && system.isAlive(child.pid)).map((child) => String(child.id));
}

/**
 * Starts the tree, lets a chaos monkey seeded with `seed` kill workers, and returns what it
 * saw once the monkey has stopped and the tree has settled.
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const system = new ActorSystem({ logger: silentLogger });
  const restarts: RestartSeen[] = [];
  const started = performance.now();
  // A restart event carries no reason, so the reason of the child's last exit is kept.
  const lastExit = new Map<string, string>();
  system.telemetry.on('supervisor.child_exited', (fields: SupervisorEventFields) => {
    lastExit.set(String(fields.childId), formatReason(fields.reason));
  });
  system.telemetry.on('supervisor.child_restarted', (fields: SupervisorEventFields) => {
    const childId = String(fields.childId);
    restarts.push({
      atMs: Math.round(performance.now() - started),
      supervisor: fields.supervisorName ?? String(fields.supervisor),
      childId,
      reason: lastExit.get(childId) ?? 'stopped by its supervisor',
    });
  });

  // Intensity high enough that the planned kills never make a supervisor give up.
  const intensity = { maxRestarts: 100, maxSeconds: 5 };
  const root = await Supervisor.startLink(
    system,
    [
      counter('alpha'),
      counter('beta'),
      {
        id: 'pair',
        type: 'supervisor' as const,
        start: (ctx: ProcessContext) =>
          Supervisor.startLink(ctx, [counter('gamma'), counter('delta')], {
            strategy: 'oneForAll',
            name: 'pair',
            ...intensity,
          }),
      },
    ],
    { strategy: 'oneForOne', name: 'root', ...intensity },
  );

  const supervisors = new Set(['root', 'pair']);
  const monkey = chaosMonkey(system, {
    seed: options.seed,
    intervalMs: options.intervalMs ?? 20,
    maxKills: options.kills ?? 12,
    // Only workers die, so the tree's shape stays and every kill shows up as a restart.
    targets: (info) => info.label === 'GenServer' && !supervisors.has(info.registeredName ?? ''),
  });
  while (monkey.running) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));

  const pair = system.whereis('pair');
  const alive: Record<string, string[]> = { root: await aliveIds(system, root) };
  if (pair !== undefined) alive.pair = await aliveIds(system, pair);
  await system.shutdown();
  return { seed: monkey.seed, kills: monkey.kills.length, restarts, alive };
}
