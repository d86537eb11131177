/**
 * The pipeline's front half alone: the source stage reading the Parquet file and its partition
 * dispatcher feeding counting consumers, to measure reading and partitioning without the rules.
 */
import { ActorSystem, silentLogger } from '@starweave/actors';
import { type ConsumerSpec, GenStage } from '@starweave/stages';
import { mainThreadCpuMs } from '../src/app/thread-cpu.js';
import type { FlightSource } from '../src/data/flight-source.js';
import { RunMetrics } from '../src/pipeline/run-metrics.js';
import { SourceStage } from '../src/pipeline/source-stage.js';
import { type SourceEvent, Tick } from '../src/pipeline/tick.js';

/** Counts flights and resolves `done` when the final tick of its partition arrives. */
function counter(
  onEnd: (flights: number) => void,
): ConsumerSpec<{ flights: number }, number, SourceEvent> {
  return {
    type: 'consumer',
    init: (partition) => ({
      state: { flights: 0 },
      subscribeTo: [{ to: 'source', partition, maxDemand: 4000, minDemand: 2000 }],
    }),
    handleEvents: (events, _from, state) => {
      for (const event of events) {
        if (!(event instanceof Tick)) state.flights += 1;
        else if (event.final) onEnd(state.flights);
      }
      return { state };
    },
  };
}

/** Streams records `[0, limit)` through the source into `partitions` counting consumers. */
export async function readAndPartition(
  source: FlightSource,
  limit: number,
  partitions: number,
): Promise<{ flights: number; ms: number; cpuMs: number }> {
  const system = new ActorSystem({ logger: silentLogger, sliceBudget: 64, processBudget: 8 });
  let ended = 0;
  let flights = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const cpu = mainThreadCpuMs();
  const started = performance.now();
  const metrics = new RunMetrics();
  await GenStage.startLink(
    system,
    SourceStage,
    { source, partitions, limit, speedup: null, metrics },
    { name: 'source' },
  );
  for (let partition = 0; partition < partitions; partition++) {
    await GenStage.startLink(
      system,
      counter((count) => {
        flights += count;
        ended += 1;
        if (ended === partitions) finish();
      }),
      partition,
    );
  }
  await finished;
  const ms = performance.now() - started;
  const usedMs = mainThreadCpuMs() - cpu;
  await system.shutdown();
  return { flights, ms, cpuMs: usedMs };
}
