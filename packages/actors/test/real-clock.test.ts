import { describe, expect, it } from 'vitest';
import { realClock } from '@starweave/actors';

describe('realClock.setTimeout', () => {
  it('waits instead of firing at once for a delay past 2^31 - 1 ms', async () => {
    let fired = false;
    const handle = realClock.setTimeout(() => {
      fired = true;
    }, 25 * 24 * 3600 * 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toBe(false);
    realClock.clearTimeout(handle);
  });

  it('fires a short delay', async () => {
    const fired = await new Promise<boolean>((resolve) => {
      realClock.setTimeout(() => resolve(true), 5);
    });
    expect(fired).toBe(true);
  });
});
