/** Jitter spreads retries of many deliveries that failed together (a receiver's outage) by up to this fraction. */
export const RETRY_JITTER = 0.2;

/**
 * When to try a delivery again after `attempts` failed attempts, or null when the schedule is spent. The waits grow
 * roughly exponentially (the schedule); each is moved by up to ±RETRY_JITTER of itself.
 */
export function nextAttemptAt(schedule: readonly number[], attempts: number, now: Date, random: () => number = Math.random): Date | null {
  const wait = schedule[attempts - 1];
  if (wait === undefined) return null;
  const jittered = wait * 1000 * (1 + RETRY_JITTER * (2 * random() - 1));
  return new Date(now.getTime() + Math.round(jittered));
}
