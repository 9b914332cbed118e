/** The body of POST /sessions, checked; throws a sentence naming the first problem. */
export interface SessionRequest {
  sessionId: string;
  token: string;
  maxSessionSeconds: number;
  maxIdleSeconds: number;
}

const FIELDS = ['sessionId', 'token', 'maxSessionSeconds', 'maxIdleSeconds'];

export function parseSessionRequest(body: unknown): SessionRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('The request body must be a JSON object.');
  const given = body as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!FIELDS.includes(key)) throw new Error(`Unknown field "${key}": only ${FIELDS.join(', ')} are accepted.`);
  const { sessionId, token } = given;
  if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(sessionId)) {
    throw new Error('sessionId must be 1-64 characters of letters, digits, "_" or "-".');
  }
  if (typeof token !== 'string' || token.length < 16 || token.length > 512 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new Error('token must be 16-512 printable ASCII characters without spaces.');
  }
  return {
    sessionId,
    token,
    maxSessionSeconds: seconds(given.maxSessionSeconds, 'maxSessionSeconds', 1800, 86_400),
    maxIdleSeconds: seconds(given.maxIdleSeconds, 'maxIdleSeconds', 60, 3600),
  };
}

function seconds(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > max) throw new Error(`${name} must be a number of seconds from 1 to ${max}.`);
  return value;
}
