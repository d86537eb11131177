/**
 * The restart counter: the times of recent restarts, and whether one more restart would pass
 * the restart intensity (more than `maxRestarts` within `maxSeconds`).
 */

/** Restart times within the intensity window, oldest first. */
export class RestartIntensity {
  private readonly times: number[] = [];
  private readonly periodMs: number;

  constructor(
    private readonly maxRestarts: number,
    maxSeconds: number,
  ) {
    this.periodMs = maxSeconds * 1000;
  }

  /**
   * Records a restart at `nowMs` and returns false when the restarts in the window now number
   * more than `maxRestarts`. A restart exactly `maxSeconds` old still counts, as in OTP.
   */
  add(nowMs: number): boolean {
    const threshold = nowMs - this.periodMs;
    let expired = 0;
    while (expired < this.times.length && this.times[expired]! < threshold) expired++;
    if (expired > 0) this.times.splice(0, expired);
    this.times.push(nowMs);
    return this.times.length <= this.maxRestarts;
  }

  /** Returns how many restarts fall within the window ending at `nowMs`. */
  count(nowMs: number): number {
    const threshold = nowMs - this.periodMs;
    let live = 0;
    for (const time of this.times) if (time >= threshold) live++;
    return live;
  }
}
