/**
 * The progress line: records read and journaled, throughput, lag, alerts and restarts, redrawn
 * in place on a terminal and printed every few seconds otherwise.
 */
import type { Progress } from './run-monitor.js';

/** Formats a count with a k or M suffix. */
export function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  return value.toLocaleString('en-US');
}

/** Returns a progress printer for `stream`, and a function that ends its line. */
export function progressPrinter(stream: NodeJS.WriteStream) {
  let previous: { at: number; processed: number } | null = null;
  let lastPrinted = 0;
  const inPlace = stream.isTTY === true;
  return {
    print(progress: Progress): void {
      const { metrics, elapsedMs } = progress;
      // The rate since the last line, or since the first record (model training comes before).
      const since = previous ?? {
        at: elapsedMs - (performance.now() - metrics.firstSentAt),
        processed: 0,
      };
      const rate =
        metrics.firstSentAt === 0
          ? 0
          : ((metrics.processed - since.processed) * 1000) / Math.max(1, elapsedMs - since.at);
      if (metrics.firstSentAt !== 0) previous = { at: elapsedMs, processed: metrics.processed };

      // Lag: event time between the newest record sent and the newest period journaled.
      const lagHours =
        metrics.processedTime === 0
          ? 0
          : Math.max(0, metrics.emittedTime - metrics.processedTime) / 3_600_000;
      const parts = [
        `read ${compact(metrics.emitted)}/${compact(progress.limit)}`,
        `journaled ${compact(metrics.processed)}`,
        `${compact(Math.max(0, Math.round(rate)))} rec/s`,
        `lag ${lagHours.toFixed(1)} h`,
        `alerts ${compact(metrics.alerts)}`,
        `restarts ${progress.restarts}`,
      ];
      if (progress.kills > 0) parts.push(`kills ${progress.kills}`);
      if (metrics.behindScheduleMs > 0) {
        parts.push(`behind schedule ${(metrics.behindScheduleMs / 60_000).toFixed(0)} min`);
      }

      const line = parts.join(' | ');
      if (inPlace) {
        stream.write(`\r${line}\u001b[K`);
      } else if (elapsedMs - lastPrinted >= 5000) {
        stream.write(`${line}\n`);
        lastPrinted = elapsedMs;
      }
    },
    end(): void {
      if (inPlace) stream.write('\n');
    },
  };
}
