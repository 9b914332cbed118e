import { expect } from 'vitest';
import { SourceRejected } from '../../src/sources/source-rejected.ts';

/** The sentence a source check refuses with: the test fails unless `check` rejects with a SourceRejected. */
export async function rejectionOf(check: Promise<unknown>): Promise<string> {
  const outcome = await check.then(
    (accepted) => ({ accepted }),
    (error: unknown) => ({ error }),
  );
  expect(outcome).not.toHaveProperty('accepted');
  const { error } = outcome as { error: unknown };
  expect(error).toBeInstanceOf(SourceRejected);
  return (error as SourceRejected).message;
}
