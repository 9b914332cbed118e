/**
 * Calls to the Avatars API from the console: same origin, the key in X-API-Key, and every failure turned
 * into the API's own sentence (`{ error, code }`), so the page can show it as it is.
 */
export class ConsoleApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ConsoleApiError';
  }
}

export interface UploadAnswer {
  url: string;
  field: 'sourceModel' | 'sourceImage';
  size: number;
}

export interface ConsoleApi {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** POST /avatars/:id/source as multipart `file`; `onProgress` gets bytes sent and the total. */
  uploadSource(id: string, file: Blob, fileName: string, onProgress: (sent: number, total: number) => void): Promise<UploadAnswer>;
}

const BASE = '/api/v1';

/** The API's sentence from an error body, or one of ours when the answer is not the API's JSON. */
function errorOf(status: number, text: string): ConsoleApiError {
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string')
      return new ConsoleApiError(body.error, status, typeof body.code === 'string' ? body.code : 'unknown');
  } catch {
    // not JSON: a proxy's page, an empty body
  }
  return new ConsoleApiError(`The server answered ${status} without an explanation.`, status, 'unknown');
}

const unreachable = () => new ConsoleApiError('The server could not be reached; check the connection and try again.', 0, 'network');

export function createConsoleApi(key: () => string | null): ConsoleApi {
  const headers = (): Record<string, string> => {
    const value = key();
    return value ? { 'x-api-key': value } : {};
  };
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(BASE + path, {
          method,
          headers: body === undefined ? headers() : { ...headers(), 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw unreachable();
      }
      const text = await response.text();
      if (!response.ok) throw errorOf(response.status, text);
      return (text ? JSON.parse(text) : null) as T;
    },

    // fetch() reports no upload progress; XMLHttpRequest's upload events do.
    uploadSource(id, file, fileName, onProgress) {
      return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `${BASE}/avatars/${encodeURIComponent(id)}/source`);
        for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
        xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
        xhr.addEventListener('load', () => {
          if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as UploadAnswer);
          else reject(errorOf(xhr.status, xhr.responseText));
        });
        xhr.addEventListener('error', () => reject(unreachable()));
        xhr.addEventListener('abort', () => reject(new ConsoleApiError('The upload was cancelled.', 0, 'aborted')));
        const form = new FormData();
        form.append('file', file, fileName);
        xhr.send(form);
      });
    },
  };
}

/** Any thrown value as a sentence for the page. */
export function sentenceOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong in the console; reload the page and try again.';
}
