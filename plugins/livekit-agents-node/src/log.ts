import { log } from '@livekit/agents';

/**
 * agents-js's logger once its worker (or the program, with initializeLogger) set it up; undefined before, so the
 * API client also works without it.
 */
export function logger(): ReturnType<typeof log> | undefined {
  try {
    return log();
  } catch {
    return undefined;
  }
}
