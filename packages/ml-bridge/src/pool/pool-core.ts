/**
 * Routing of a worker pool: a weighted traffic split over model versions (smooth weighted
 * round robin, so the split is exact over any window of requests), then the least-loaded
 * running worker of the chosen version. Requests wait when no worker runs, as during a restart.
 */
import { type ActorSystem, invalidArgument, type Pid, StarweaveError } from '@starweave/actors';
import { ChunkStream } from '../worker/chunk-stream.js';
import { DeferredTarget } from '../worker/deferred-target.js';
import type { CallOptions, RequestTarget } from '../worker/targets.js';
import type { WorkerCore } from '../worker/worker-core.js';

/** The workers of one model version and its share of the traffic. */
interface VersionGroup {
  readonly version: string;
  weight: number;
  /** The smooth weighted round robin's running score. */
  score: number;
  readonly members: Map<number, { pid: Pid; core: WorkerCore }>;
  /** The index at which the search for the least-loaded worker starts, so ties rotate. */
  next: number;
}

/** The request target of a pool. */
export class PoolCore implements RequestTarget {
  readonly kind = 'pool';
  private readonly groups = new Map<string, VersionGroup>();
  private waiting: DeferredTarget;
  private closedError: StarweaveError | undefined;

  constructor(
    readonly name: string,
    versions: ReadonlyArray<{ version: string; weight: number }>,
    private readonly system: ActorSystem,
    private readonly maxWaiting: number,
    private readonly defaultTimeoutMs: number | 'infinity',
  ) {
    for (const { version, weight } of versions) {
      this.groups.set(version, { version, weight, score: 0, members: new Map(), next: 0 });
    }
    this.waiting = this.newWaiting();
  }

  /** Returns the version labels in start order. */
  get versions(): string[] {
    return [...this.groups.keys()];
  }

  /** Returns the weight of each version. */
  weights(): Record<string, number> {
    return Object.fromEntries(
      [...this.groups.values()].map((group) => [group.version, group.weight]),
    );
  }

  /** Returns the workers of `version` that the pool tracks, running or draining. */
  members(version: string): Array<{ pid: Pid; core: WorkerCore }> {
    return [...(this.groups.get(version)?.members.values() ?? [])];
  }

  /** Returns the number of requests waiting for a running worker. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  call(handler: string, payload: unknown, options: CallOptions): Promise<unknown> {
    const core = this.pick(options.version);
    if (core !== undefined) return core.call(handler, payload, options);
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return this.waiting.call(handler, payload, options);
  }

  stream(handler: string, payload: unknown, options: CallOptions): ChunkStream {
    const core = this.pick(options.version);
    if (core !== undefined) return core.stream(handler, payload, options);
    if (this.closedError !== undefined) {
      const failed = new ChunkStream(() => {});
      failed.fail(this.closedError);
      return failed;
    }
    return this.waiting.stream(handler, payload, options);
  }

  /** Adds a started worker of `version` and sends it the requests that waited for one. */
  add(version: string, pid: Pid, core: WorkerCore): void {
    const group = this.groups.get(version);
    if (group === undefined) return;
    group.members.set(pid.id, { pid, core });
    if (this.waiting.size === 0) return;
    const waiting = this.waiting;
    this.waiting = this.newWaiting();
    waiting.ready(this);
  }

  /** Removes a worker that has ended. */
  remove(pid: Pid): void {
    for (const group of this.groups.values()) group.members.delete(pid.id);
  }

  /**
   * Sets the traffic split. Fails with ERR_INVALID_ARGUMENT for an unknown version or a weight
   * that is negative or not finite, or when every weight would be 0.
   */
  setWeights(weights: Record<string, number>): void {
    for (const [version, weight] of Object.entries(weights)) {
      if (!this.groups.has(version)) {
        invalidArgument(
          `weights.${version}`,
          `one of the pool's versions (${this.versions.join(', ')})`,
          version,
        );
      }
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        invalidArgument(`weights.${version}`, 'a finite number of 0 or more', weight);
      }
    }
    const total = [...this.groups.values()].reduce(
      (sum, group) => sum + (weights[group.version] ?? group.weight),
      0,
    );
    if (total <= 0)
      invalidArgument('weights', 'at least one version with a weight above 0', weights);
    for (const group of this.groups.values()) {
      group.weight = weights[group.version] ?? group.weight;
      group.score = 0;
    }
  }

  /** Fails the waiting requests; the pool has stopped. */
  close(error: StarweaveError): void {
    this.closedError = error;
    this.waiting.failed(error);
  }

  /**
   * Chooses a worker of `version` when given, else of a version chosen by weight among those
   * with a running worker. Within the version it takes the running worker with the least load.
   */
  private pick(version: string | undefined): WorkerCore | undefined {
    if (version !== undefined) {
      const group = this.groups.get(version);
      if (group === undefined) {
        throw new StarweaveError(
          'ERR_NOT_FOUND',
          `version ${JSON.stringify(version)} is not found in pool ${JSON.stringify(this.name)}, ` +
            `which has ${this.versions.join(', ')}.`,
          { details: { pool: this.name, version, versions: this.versions } },
        );
      }
      return leastLoaded(group);
    }
    let chosen: VersionGroup | undefined;
    let total = 0;
    let single: VersionGroup | undefined;
    let eligible = 0;
    for (const group of this.groups.values()) {
      if (group.weight <= 0 || !hasRunning(group)) continue;
      eligible++;
      single = group;
      group.score += group.weight;
      total += group.weight;
      if (chosen === undefined || group.score > chosen.score) chosen = group;
    }
    if (eligible === 1) {
      single!.score = 0;
      return leastLoaded(single!);
    }
    if (chosen === undefined) return undefined;
    chosen.score -= total;
    return leastLoaded(chosen);
  }

  private newWaiting(): DeferredTarget {
    return new DeferredTarget(
      'pool',
      this.name,
      this.system.clock,
      this.maxWaiting,
      this.defaultTimeoutMs,
    );
  }
}

function hasRunning(group: VersionGroup): boolean {
  for (const { core } of group.members.values()) if (core.status === 'running') return true;
  return false;
}

function leastLoaded(group: VersionGroup): WorkerCore | undefined {
  const members = [...group.members.values()];
  let best: WorkerCore | undefined;
  for (let offset = 0; offset < members.length; offset++) {
    const { core } = members[(group.next + offset) % members.length]!;
    if (core.status !== 'running') continue;
    if (best === undefined || core.load < best.load) best = core;
  }
  group.next = (group.next + 1) % Math.max(1, members.length);
  return best;
}
