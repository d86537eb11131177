/**
 * The messages between the checkpoint coordinator and the stages of a pipeline.
 */
import type { Pid, Reason } from '@starweave/actors';

/** Stage to coordinator: a source or a sink announces itself after `init`. */
export class RegisterStage {
  readonly type = 'checkpoint.register';
  constructor(
    readonly stageId: string,
    readonly role: 'source' | 'sink' | 'inner',
    readonly pid: Pid,
  ) {}
}

/** Coordinator to source: saves a snapshot and injects barrier `checkpointId`. */
export class TriggerCheckpoint {
  readonly type = 'checkpoint.trigger';
  constructor(readonly checkpointId: number) {}
}

/** Sink to coordinator: the barrier has reached the sink from all its inputs. */
export class CheckpointAck {
  readonly type = 'checkpoint.ack';
  constructor(
    readonly checkpointId: number,
    readonly stageId: string,
  ) {}
}

/** Stage to coordinator: the stage could not save its snapshot, so the checkpoint fails. */
export class CheckpointDecline {
  readonly type = 'checkpoint.decline';
  constructor(
    readonly checkpointId: number,
    readonly stageId: string,
    readonly reason: Reason,
  ) {}
}
