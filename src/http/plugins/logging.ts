import type { FastifyServerOptions } from 'fastify';

/**
 * Secrets never reach a log line, even when a client sends one by mistake where it does not belong
 * (`?api_key=sk_...` on any route, `?token=lst_...` on WHEP). Two layers:
 * - request URLs are logged with the values of secret-like query parameters replaced;
 * - every line is scrubbed of API key secrets (`sk_`) and session tokens (`lst_`, `lsv_`) wherever they appear
 *   (a path, an error message), the last line of defence for what the first cannot know.
 */
export const REDACTED = '[redacted]';

/** Parameter names that carry credentials, whatever their value looks like. */
const SECRET_PARAMETER = /token|key|secret|passw|pwd|auth|credential|signature|session/i;
/** API key secrets (`sk_`), live-session agent and viewer tokens (`lst_`, `lsv_`), loosely: a shortened one leaks too. */
const SECRET_VALUE = /\b(sk|lst|lsv)_[0-9A-Za-z]{6,}/g;
const HAS_SECRET_VALUE = new RegExp(SECRET_VALUE.source);
/** Could the text hold a secret at all (an `_` sent as `%5F` included)? Most log lines cannot. */
const mayHoldSecret = (text: string) => text.includes('sk') || text.includes('ls');

function decoded(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The URL as it may be logged: path kept, secret-like query values and any `sk_`/`lst_` value replaced. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = scrubSecrets(queryAt === -1 ? url : url.slice(0, queryAt));
  if (queryAt === -1) return path;
  const rawQuery = url.slice(queryAt + 1);
  if (!SECRET_PARAMETER.test(rawQuery) && !mayHoldSecret(rawQuery)) return `${path}?${rawQuery}`;
  const query = rawQuery
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      if (equals === -1) return scrubSecrets(pair);
      const value = pair.slice(equals + 1);
      // Decoded before the test: `sk%5F...` is the same secret.
      const secret = SECRET_PARAMETER.test(decoded(name)) || HAS_SECRET_VALUE.test(decoded(value));
      return `${scrubSecrets(name)}=${secret ? REDACTED : value}`;
    })
    .join('&');
  return `${path}?${query}`;
}

export function scrubSecrets(text: string): string {
  if (!mayHoldSecret(text)) return text;
  return text.replace(SECRET_VALUE, `$1_${REDACTED}`).replace(/(sk|lst|lsv)(%5F|%5f)[0-9A-Za-z]{6,}/g, `$1_${REDACTED}`);
}

/** A log destination that scrubs each line before it is written. */
export function scrubbingStream(destination: { write(line: string): unknown }): { write(line: string): void } {
  return {
    write(line: string) {
      destination.write(scrubSecrets(line));
    },
  };
}

/** Fastify's logger: level, redacted headers and URLs, and the scrubbing destination. */
export function loggerOptions(level: string, destination: { write(line: string): unknown }): FastifyServerOptions['logger'] {
  return {
    level,
    stream: scrubbingStream(destination),
    redact: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req(request: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
  };
}
