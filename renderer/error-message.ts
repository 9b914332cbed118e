/** A thrown value's message, for a log line or a sentence (libraries throw Errors, but not only). */
export function messageOf(error: unknown): string {
  return String((error as Error)?.message ?? error);
}
