/**
 * The one typed client of the Avatars API that the console and the SDK share. Its types are generated from the
 * server's OpenAPI document (openapi-types.ts, `npm run generate:client`): a path, its parameters, its body and its
 * answer are checked against the document, and the shapes below are read from it, never written by hand. Failures are
 * the API's error shape `{ error, code, details?, reason? }` as one error class.
 *
 * The runtime is the few lines below rather than openapi-fetch: openapi-fetch adds 2.6 KB gzip to the SDK, which
 * would take avatar-sdk.js over its 50 KB budget (bench/web.bench.ts); the call shape is the same idea.
 */
import type { paths } from './openapi-types.ts';

type Method = 'get' | 'post' | 'put' | 'delete';
/** The paths that answer `M` (the generated type marks the others `M?: never`). */
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never }[keyof paths];
type JsonOf<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : undefined;
/** The JSON body of an operation's success answer(s). */
type SuccessOf<Op> = Op extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 | 202 | 204 ? JsonOf<R[S]> : never }[keyof R]
  : never;
type ParamsOf<Op> = (Op extends { parameters: { path: infer Path } } ? { path: Path } : { path?: undefined }) &
  (Op extends { parameters: { query?: infer Query } } ? { query?: Query } : { query?: undefined });
type BodyOf<Op> = Op extends { requestBody?: never }
  ? { body?: undefined }
  : Op extends { requestBody: { content: { 'application/json': infer Body } } }
    ? { body: Body }
    : Op extends { requestBody?: { content: { 'application/json': infer Body } } }
      ? { body?: Body }
      : { body?: undefined };
/** The call's path and query parameters and JSON body; the argument may be left out when nothing in it is required. */
type CallArgs<Op> = object extends ParamsOf<Op> & BodyOf<Op> ? [init?: ParamsOf<Op> & BodyOf<Op>] : [init: ParamsOf<Op> & BodyOf<Op>];

export type Avatar = SuccessOf<paths['/api/v1/avatars/{id}']['get']>;
export type AvatarSummary = SuccessOf<paths['/api/v1/avatars']['get']>['avatars'][number];
export type Tier = Avatar['tier'];
export type RenderConfig = Avatar['config'];
export type Deployment = NonNullable<Avatar['deployment']>;
export type CreateAvatarBody = BodyOf<paths['/api/v1/avatars']['post']>['body'];
export type UpdateAvatarBody = NonNullable<BodyOf<paths['/api/v1/avatars/{id}']['put']>['body']>;
export type PreviewAnswer = SuccessOf<paths['/api/v1/avatars/{id}/preview']['post']>;
export type UploadAnswer = SuccessOf<paths['/api/v1/avatars/{id}/source']['post']>;
export type Whoami = SuccessOf<paths['/api/v1/auth/whoami']['get']>;
/** What every failed call of the API answers. */
export type ApiErrorBody = JsonOf<paths['/api/v1/avatars/{id}']['get']['responses'][404]>;

/** `await api.GET('/api/v1/avatars/{id}', { path: { id } })`: the success answer's body, or an AvatarApiError thrown. */
export interface AvatarsClient {
  GET<P extends PathsWith<'get'>>(path: P, ...init: CallArgs<paths[P]['get']>): Promise<SuccessOf<paths[P]['get']>>;
  POST<P extends PathsWith<'post'>>(path: P, ...init: CallArgs<paths[P]['post']>): Promise<SuccessOf<paths[P]['post']>>;
  PUT<P extends PathsWith<'put'>>(path: P, ...init: CallArgs<paths[P]['put']>): Promise<SuccessOf<paths[P]['put']>>;
  DELETE<P extends PathsWith<'delete'>>(path: P, ...init: CallArgs<paths[P]['delete']>): Promise<SuccessOf<paths[P]['delete']>>;
}

/**
 * A failure: the API's answer (`message` is its `error` sentence), a body that is not the API's (a proxy's page), or no
 * answer at all (`status` 0: the network, or a check the client made before calling).
 */
export class AvatarApiError extends Error {
  readonly code: string;
  readonly details?: ApiErrorBody['details'];
  readonly reason?: string;

  constructor(
    readonly status: number,
    body: ApiErrorBody,
  ) {
    super(body.error);
    this.name = 'AvatarApiError';
    this.code = body.code;
    if (body.details) this.details = body.details;
    if (body.reason) this.reason = body.reason;
  }
}

const isApiErrorBody = (body: unknown): body is ApiErrorBody =>
  typeof body === 'object' && body !== null && typeof (body as ApiErrorBody).error === 'string';

/** The error for a failed answer (a fetch Response, an XMLHttpRequest) whose body was read: parsed JSON, or text. */
export function apiErrorOf(response: { status: number; statusText: string }, body: unknown): AvatarApiError {
  if (isApiErrorBody(body))
    return new AvatarApiError(response.status, { ...body, code: typeof body.code === 'string' ? body.code : 'unknown' });
  const status = `${response.status} ${response.statusText}`.trim();
  return new AvatarApiError(response.status, {
    error: `The server answered ${status} without an explanation.`,
    code: `http-${response.status}`,
  });
}

/** The error for a failed answer, reading its body. */
export async function apiErrorFrom(response: Response): Promise<AvatarApiError> {
  const text = await response.text().catch(() => '');
  try {
    return apiErrorOf(response, JSON.parse(text));
  } catch {
    return apiErrorOf(response, text); // not JSON: a CDN's or proxy's page, an empty body
  }
}

/** No answer came from `url` (absolute, or relative to the page). */
export function unreachable(url: string, cause: unknown): AvatarApiError {
  const origin = new URL(url, typeof location !== 'undefined' ? location.href : undefined).origin;
  const why = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new AvatarApiError(0, {
    error: `The server at ${origin} could not be reached${why}; check the connection and try again.`,
    code: 'network',
  });
}

export interface AvatarsClientOptions {
  /** The server's origin (and path prefix, if any), e.g. "https://avatars.example.com"; '' for the page's own. */
  baseUrl: string;
  /** The credentials each call carries, read at each call (the console's key changes while the page lives). */
  auth: () => Record<string, string>;
  /** fetch to use (tests, proxies); default globalThis.fetch. */
  fetch?: typeof fetch;
}

interface Init {
  path?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

export function createAvatarsClient(options: AvatarsClientOptions): AvatarsClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (method: string, template: string, init: Init = {}): Promise<unknown> => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(init.query ?? {})) if (value !== undefined) query.set(name, String(value));
    const search = query.toString();
    const url =
      base +
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(init.path?.[name]))) +
      (search ? `?${search}` : '');
    const headers: Record<string, string> = { Accept: 'application/json', ...options.auth() };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (error) {
      throw unreachable(url, error);
    }
    if (!response.ok) throw await apiErrorFrom(response);
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  };
  return {
    GET: (path: string, init?: Init) => call('GET', path, init),
    POST: (path: string, init?: Init) => call('POST', path, init),
    PUT: (path: string, init?: Init) => call('PUT', path, init),
    DELETE: (path: string, init?: Init) => call('DELETE', path, init),
  } as AvatarsClient;
}
