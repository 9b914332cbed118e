import { APIError } from '@livekit/agents';

/** One problem of a `validation-failed` answer: which field, and what is wrong with it. */
export interface AvatarsErrorDetail {
  path: string;
  message: string;
}

export interface AvatarsErrorOptions {
  /** The HTTP status the API answered with; `null` when no answer came, or for the plugin's own configuration. */
  status: number | null;
  /**
   * The API's `code` (`validation-failed`, `livekit-refused`, `unauthorized`, `scope-required`, `forbidden`,
   * `not-found`, `conflict`, `livekit-unreachable`, `service-unavailable`...), `http-<status>` for an answer that is
   * not the API's error shape, or the plugin's own: `missing-configuration`, `connection-failed`, `timeout`,
   * `invalid-response`.
   */
  code: string;
  /** The API's `reason`, when it gave one (e.g. why the LiveKit server refused the avatar's token). */
  reason?: string;
  /** The API's `details`, when it gave them (which fields failed validation). */
  details?: AvatarsErrorDetail[];
  /** The answer's body (parsed JSON, or the text when it was not JSON). */
  body?: unknown;
}

/**
 * An error of the Avatars API, or of reaching it. It is an `APIError` of @livekit/agents, so code that handles the
 * framework's API errors handles it too; `retryable` holds only when a second try may succeed: no answer came
 * (a connection that failed) or a 5xx. A 4xx says the request itself is wrong, and a timeout may have reached the
 * server (a second POST would start a second session).
 */
export class AvatarsError extends APIError {
  readonly status: number | null;
  readonly code: string;
  readonly reason?: string;
  readonly details?: AvatarsErrorDetail[];

  constructor(message: string, options: AvatarsErrorOptions) {
    const { status, code } = options;
    const body =
      options.body === undefined || options.body === null ? null : typeof options.body === 'object' ? options.body : { text: options.body };
    super(message, { body, retryable: code === 'connection-failed' || (status !== null && status >= 500) });
    this.name = 'AvatarsError';
    this.status = status;
    this.code = code;
    if (options.reason !== undefined) this.reason = options.reason;
    if (options.details !== undefined) this.details = options.details;
  }

  override toString(): string {
    const where = this.status === null ? this.code : `${this.status} ${this.code}`;
    return `${this.name}: ${this.message} (${where})${this.reason ? `: ${this.reason}` : ''}`;
  }
}

/** A setting that is neither an argument nor in the environment. */
export function missingSetting(what: string, option: string, env: string): AvatarsError {
  return new AvatarsError(`${what} is not set: pass ${option} or set the ${env} environment variable.`, {
    status: null,
    code: 'missing-configuration',
  });
}
