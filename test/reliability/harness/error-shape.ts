// The design's error shape (docs/design.md), as a list of what is wrong (for harnesses that count problems rather than throw).

/** Codes the design (docs/design.md) names, with their statuses. */
const CODES: Record<string, number[]> = {
  unauthorized: [401],
  'scope-required': [403],
  forbidden: [403],
  'not-found': [404],
  'validation-failed': [400],
  'invalid-json': [400],
  'payload-too-large': [413],
  'unsupported-media-type': [415],
  'invalid-source': [422],
  conflict: [409],
  'rate-limited': [429],
  'service-unavailable': [503],
  internal: [500],
};

/** Problems with an answer of `status` (none for a 2xx/3xx): `{ error: sentence, code, details?, reason? }`, JSON, no stack. */
export function errorShapeProblems(status: number, body: unknown, contentType: string): string[] {
  if (status < 400) return [];
  const problems: string[] = [];
  if (!/^application\/json/.test(contentType)) problems.push(`${status} with content-type "${contentType}"`);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [...problems, `${status} body is not a JSON object: ${String(body).slice(0, 120)}`];
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !['error', 'code', 'details', 'reason'].includes(k));
  if (extra.length) problems.push(`${status} body has extra fields ${extra.join(', ')}`);
  if (typeof b.error !== 'string' || !/^[A-Z"].*[.?]$/s.test(b.error))
    problems.push(`${status} error is not a sentence: ${JSON.stringify(b.error)}`);
  if (typeof b.code !== 'string' || !/^[a-z]+(-[a-z]+)*$/.test(b.code))
    problems.push(`${status} code is not kebab-case: ${JSON.stringify(b.code)}`);
  else if (CODES[b.code] && !CODES[b.code]!.includes(status)) problems.push(`code ${b.code} with status ${status}`);
  // A 503 keeps the contract's fixed sentence; `reason` says why, as a sentence of its own.
  if (b.reason !== undefined && (typeof b.reason !== 'string' || !/^[A-Z].*[.?]$/s.test(b.reason)))
    problems.push(`${status} reason is not a sentence: ${JSON.stringify(b.reason)}`);
  if (b.details !== undefined) {
    const ok = Array.isArray(b.details) && b.details.every((d) => typeof d?.path === 'string' && typeof d?.message === 'string');
    if (!ok) problems.push(`${status} details are not [{ path, message }]: ${JSON.stringify(b.details).slice(0, 200)}`);
  }
  if (/at .*\.ts:\d+|node_modules|\bstack\b/.test(JSON.stringify(b)))
    problems.push(`${status} body shows internals: ${JSON.stringify(b).slice(0, 200)}`);
  return problems;
}
