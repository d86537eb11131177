/**
 * Properties of supervision trees under fault schedules, with trees and schedules as plain
 * data from @starweave/testing's arbitraries and a fixed seed (fast-check prints the seed and
 * the shrunk case on failure). Within the restart intensity, a tree converges to what OTP's
 * rules give (tree-model.ts): permanent children running under the same ids, transient ones
 * down after a normal exit, temporary ones gone, counts that match. Past the intensity, the
 * root ends with 'shutdown' and every process of the tree is dead.
 */

import { ActorSystem, type Pid, type Reason, silentLogger, VirtualClock } from '@starweave/actors';
import { type ChildSpec, Supervisor, type TreeNode } from '@starweave/supervision';
import {
  arbFaultSchedule,
  arbProcessTree,
  type FaultSchedule,
  type ProcessTree,
  type TreeChild,
  treeIds,
} from '@starweave/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { castExit, workerSpec } from './helpers.js';
import { applyExit, type ModelSupervisor, modelCounts, treeModel } from './tree-model.js';

const SEED = 42;
const MAX_SECONDS = 5;
const REASONS: Reason[] = ['kill', 'normal', new Error('injected fault')];

interface Case {
  tree: ProcessTree;
  schedule: FaultSchedule<string>;
  maxRestarts: number;
  scheduleSeed: number;
}

const arbCase: fc.Arbitrary<Case> = arbProcessTree({ depth: 3, width: 3 }).chain((tree) =>
  fc.record({
    tree: fc.constant(tree),
    schedule: arbFaultSchedule({
      ids: treeIds(tree, { type: 'worker' }),
      maxFaults: 10,
      maxAtMs: 20_000,
      reasons: REASONS,
    }),
    maxRestarts: fc.integer({ min: 1, max: 4 }),
    scheduleSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }),
);

function specsOf(children: readonly TreeChild[], maxRestarts: number): ChildSpec[] {
  return children.map((child) =>
    child.type === 'worker'
      ? workerSpec(child.id, [], { restart: child.restart })
      : {
          id: child.id,
          type: 'supervisor',
          restart: child.restart,
          start: (ctx) =>
            Supervisor.startLink(ctx, specsOf(child.children, maxRestarts), {
              strategy: child.strategy,
              maxRestarts,
              maxSeconds: MAX_SECONDS,
            }),
        },
  );
}

/** Returns the live pid of the supervisor that contains child `id`, from `root` down. */
async function parentOf(system: ActorSystem, root: Pid, id: string): Promise<Pid | undefined> {
  // Ids are paths such as 's1.s0.w2': each prefix names a supervisor on the way down.
  const parts = id.split('.');
  let sup = root;
  for (let depth = 1; depth < parts.length; depth++) {
    const child = (await Supervisor.whichChildren(system, sup)).find(
      (entry) => entry.id === parts.slice(0, depth).join('.'),
    );
    if (child === undefined || typeof child.pid !== 'object') return undefined;
    sup = child.pid;
  }
  return sup;
}

async function pidOfChild(system: ActorSystem, sup: Pid, id: string): Promise<Pid | undefined> {
  const child = (await Supervisor.whichChildren(system, sup)).find((entry) => entry.id === id);
  return child !== undefined && typeof child.pid === 'object' ? child.pid : undefined;
}

/** Ends child `id` with `reason` and waits until its supervisor has handled the exit. */
async function inject(system: ActorSystem, root: Pid, id: string, reason: Reason): Promise<void> {
  const sup = await parentOf(system, root, id);
  if (sup === undefined) throw new Error(`no running supervisor holds ${id}`);
  const pid = await pidOfChild(system, sup, id);
  if (pid === undefined) throw new Error(`child ${id} has no running process`);
  const exited = new Promise((resolve) => system.monitor(pid, resolve));
  if (reason === 'kill') system.exit(pid, 'kill');
  else castExit(system, pid, reason);
  await exited;
  // The reply comes after the supervisor handled the exit, restarts included.
  await Supervisor.whichChildren(system, sup).catch(() => undefined);
}

/** Compares a live (sub)tree with the model; returns the first difference, or undefined. */
async function difference(
  system: ActorSystem,
  sup: Pid,
  nodes: TreeNode[],
  model: ModelSupervisor,
  path: string,
): Promise<string | undefined> {
  const live = nodes.map((node) => `${node.id}:${node.status}`);
  const expected = model.children.map((child) => `${child.spec.id}:${child.status}`);
  if (live.join(',') !== expected.join(',')) {
    return `${path}: children ${live.join(',')} instead of ${expected.join(',')}`;
  }
  const counts = await Supervisor.countChildren(system, sup);
  if (JSON.stringify(counts) !== JSON.stringify(modelCounts(model))) {
    return `${path}: counts ${JSON.stringify(counts)} instead of ${JSON.stringify(modelCounts(model))}`;
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.status === 'running' && !system.isAlive(node.pid!)) return `${node.id}: pid not alive`;
    const sub = model.children[i]!.sup;
    if (node.supervisor !== undefined && sub !== undefined) {
      const found = await difference(
        system,
        node.pid!,
        node.supervisor.children,
        sub,
        node.id ?? '',
      );
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

async function startCase(testCase: Case) {
  const clock = new VirtualClock();
  const system = new ActorSystem({ logger: silentLogger, clock, seed: testCase.scheduleSeed });
  const root = await Supervisor.startLink(
    system,
    specsOf(testCase.tree.children, testCase.maxRestarts),
    {
      strategy: testCase.tree.strategy,
      maxRestarts: testCase.maxRestarts,
      maxSeconds: MAX_SECONDS,
    },
  );
  return { clock, system, root, model: treeModel(testCase.tree) };
}

/** Applies the faults the model keeps within intensity; returns how many were applied. */
async function applyWithinIntensity(
  testCase: Case,
  run: Awaited<ReturnType<typeof startCase>>,
): Promise<number> {
  let applied = 0;
  for (const fault of testCase.schedule) {
    run.clock.advance(fault.atMs - run.clock.now());
    const effect = applyExit(
      run.model,
      fault.target,
      fault.reason,
      run.clock.now(),
      testCase.maxRestarts,
      MAX_SECONDS,
    );
    if (effect !== 'applied') continue;
    await inject(run.system, run.root, fault.target, fault.reason);
    applied++;
  }
  return applied;
}

describe('supervision trees under fault schedules', () => {
  it('converge to the state OTP rules give after any schedule within intensity', async () => {
    let faultsApplied = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async (testCase) => {
        const run = await startCase(testCase);
        try {
          faultsApplied += await applyWithinIntensity(testCase, run);
          expect(run.system.isAlive(run.root)).toBe(true);
          const tree = await Supervisor.tree(run.system, run.root);
          expect(
            await difference(run.system, run.root, tree.children, run.model, 'root'),
          ).toBeUndefined();
        } finally {
          await run.system.shutdown();
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
    // The schedules must have exercised restarts, not only skipped faults.
    expect(faultsApplied).toBeGreaterThan(60);
  });

  it('end with the root exiting shutdown and every process dead past intensity', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (testCase) => {
        // A permanent worker at the root, crashed past the intensity at one instant.
        const victim: TreeChild = { id: 'victim', type: 'worker', restart: 'permanent' };
        const withVictim: Case = {
          ...testCase,
          tree: { ...testCase.tree, children: [...testCase.tree.children, victim] },
        };
        const run = await startCase(withVictim);
        try {
          await applyWithinIntensity(withVictim, run);
          const rootReason = new Promise<Reason>((resolve) =>
            run.system.monitor(run.root, (down) => resolve(down.reason)),
          );
          const everyPid = new Set<Pid>(run.system.processes());
          for (let i = 0; i <= withVictim.maxRestarts && run.system.isAlive(run.root); i++) {
            await inject(run.system, run.root, 'victim', 'kill');
            for (const pid of run.system.processes()) everyPid.add(pid);
          }
          expect(await rootReason).toBe('shutdown');
          for (const pid of everyPid) {
            if (!pid.equals(run.system.pid)) expect(run.system.isAlive(pid)).toBe(false);
          }
          expect(run.system.processCount()).toBe(1);
        } finally {
          await run.system.shutdown();
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
