/**
 * Counters the stages update as the run goes, read by the progress line. They describe the
 * process, not the results: after a restart they jump back with the restored stages.
 */

/** Live counters of one run. */
export class RunMetrics {
  /** `performance.now()` when the source sent its first record, or 0 before. */
  firstSentAt = 0;
  /** The main thread's processor time when the source sent its first record, in ms. */
  firstSentCpuMs = 0;
  /** Records the source has sent. */
  emitted = 0;
  /** Event time of the last record sent. */
  emittedTime = 0;
  /** Records whose period the sink has written. */
  processed = 0;
  /** End of the last period the sink has written (event time). */
  processedTime = 0;
  /** Alerts journaled so far. */
  alerts = 0;
  /** Journal writes skipped because a replay had written them before. */
  skippedWrites = 0;
  /** Scoring requests sent again because their Python worker was down. */
  scoringRetries = 0;
  /** How far the source runs behind its speed-up schedule, in event-time milliseconds. */
  behindScheduleMs = 0;
}
