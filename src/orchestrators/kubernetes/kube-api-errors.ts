import { ApiException } from '@kubernetes/client-node';

/** HTTP status of a failed Kubernetes API call, or null when the call never got an answer. */
export function apiStatusCode(error: unknown): number | null {
  return error instanceof ApiException ? error.code : null;
}

export function isNotFound(error: unknown): boolean {
  return apiStatusCode(error) === 404;
}

export function isAlreadyExists(error: unknown): boolean {
  return apiStatusCode(error) === 409;
}

// Answers the client does not hand a body for, with what an operator should check.
const KNOWN_CODES: Record<number, string> = {
  401: 'Unauthorized (the cluster did not accept the token or certificate)',
  403: "Forbidden (the API's service account lacks a permission; see the Role in deploy/helm)",
};

/** The API server's own message (its Status object), for errors that reach an operator's log. */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (body && typeof body.message === 'string') return `Kubernetes API ${error.code}: ${body.message}`;
    } catch {
      // Not JSON: fall through to the status code alone.
    }
    return `Kubernetes API ${error.code}${KNOWN_CODES[error.code] ? `: ${KNOWN_CODES[error.code]}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs a call that may answer 404, as null. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
