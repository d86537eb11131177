/**
 * A stage's part in checkpoints: it restores the last completed checkpoint at start, registers
 * with the coordinator, and at each barrier saves its snapshot, then forwards the barrier or,
 * in a sink, acknowledges the checkpoint.
 */
import { decodeVersioned, describe, encodeVersioned, StarweaveError } from '@starweave/actors';
import type { StageCore } from '../stage-core.js';
import { andThen, isThenable, type Step, thenValue } from '../step.js';
import { CheckpointAck, CheckpointDecline, RegisterStage } from './checkpoint-messages.js';

/** The checkpoint work of one stage. */
export class CheckpointParticipant {
  private unacknowledgedWarned = false;

  constructor(private readonly core: StageCore) {}

  /** Restores the state from the stage's snapshot in the last completed checkpoint, if any. */
  restore(): undefined | Promise<undefined> {
    const { checkpoint, spec } = this.core;
    if (checkpoint === undefined) return undefined;
    return thenValue(checkpoint.store.latestCompleted(), (latest) => {
      if (latest === undefined) return undefined;
      return thenValue(checkpoint.store.load(latest, checkpoint.stageId), (bytes) => {
        if (bytes === undefined) return undefined;
        if (spec.restoreState === undefined) {
          throw new StarweaveError(
            'ERR_INVALID_ARGUMENT',
            `stage ${describe(checkpoint.stageId)} has a snapshot in checkpoint ${latest} but its spec defines no restoreState; add restoreState(snapshot, state).`,
          );
        }
        this.core.state = spec.restoreState(decodeVersioned(bytes), this.core.state);
        this.core.log('info', 'stage.checkpoint_restored', {
          checkpointId: latest,
          stageId: checkpoint.stageId,
        });
        return undefined;
      });
    });
  }

  /** Announces the stage to its coordinator; fails with ERR_NOPROC when none is running. */
  register(): void {
    const { checkpoint, self, type } = this.core;
    if (checkpoint === undefined) return;
    const coordinator = self.system.resolve(checkpoint.coordinator);
    if (coordinator === undefined) {
      throw new StarweaveError(
        'ERR_NOPROC',
        `checkpoint coordinator ${describe(checkpoint.coordinator)} is not running; start it before the stages of its pipeline.`,
        { details: { coordinator: checkpoint.coordinator } },
      );
    }
    let role: RegisterStage['role'] = 'inner';
    if (type === 'producer') role = 'source';
    if (type === 'consumer') role = 'sink';
    self.send(coordinator, new RegisterStage(checkpoint.stageId, role, self.pid));
  }

  /**
   * Runs when checkpoint `checkpointId` has reached the stage from all its inputs (or, for a
   * source, when the coordinator triggered it): saves the snapshot, then forwards the barrier
   * downstream or, in a sink, acknowledges the checkpoint.
   */
  reached(checkpointId: number): Step {
    return andThen(
      this.save(checkpointId),
      () => {
        if (this.core.producer !== null) this.core.producer.emitBarrier(checkpointId);
        else this.acknowledge(checkpointId);
        return undefined;
      },
      this.core.alive,
    );
  }

  private save(checkpointId: number): Step {
    const { checkpoint, spec } = this.core;
    if (checkpoint === undefined || spec.snapshotState === undefined) return undefined;
    let saved: unknown;
    try {
      const bytes = encodeVersioned(spec.snapshotState(this.core.state));
      saved = checkpoint.store.save(checkpointId, checkpoint.stageId, bytes);
    } catch (error) {
      this.decline(checkpointId, error);
      return undefined;
    }
    if (!isThenable(saved)) return undefined;
    return Promise.resolve(saved).then(
      () => undefined,
      (error: unknown) => {
        this.decline(checkpointId, error);
        return undefined;
      },
    );
  }

  private acknowledge(checkpointId: number): void {
    const checkpoint = this.core.checkpoint;
    if (checkpoint === undefined) {
      if (!this.unacknowledgedWarned) {
        this.unacknowledgedWarned = true;
        this.core.log('warn', 'stage.checkpoint_unacknowledged', { checkpointId });
      }
      return;
    }
    this.toCoordinator(new CheckpointAck(checkpointId, checkpoint.stageId));
  }

  private decline(checkpointId: number, error: unknown): void {
    const reason = error instanceof Error ? error : new Error(String(error));
    this.core.log('error', 'stage.checkpoint_failed', { checkpointId, reason });
    this.toCoordinator(new CheckpointDecline(checkpointId, this.core.checkpoint!.stageId, reason));
  }

  private toCoordinator(message: unknown): void {
    const { checkpoint, self } = this.core;
    const pid = self.system.resolve(checkpoint!.coordinator);
    if (pid === undefined) {
      this.core.log('warn', 'stage.coordinator_missing', { coordinator: checkpoint!.coordinator });
      return;
    }
    self.send(pid, message);
  }
}
