/**
 * POST /api/v1/avatars/:id/source as multipart `file`, with upload progress: fetch() reports none, XMLHttpRequest's
 * upload events do. Its answers and failures are the shared client's types and error.
 */
import { AvatarApiError, apiErrorOf, unreachable, type UploadAnswer } from '../api/avatars-client.ts';

/** Uploads `file`; `onProgress` gets bytes sent and the total. */
export type SourceUpload = (
  id: string,
  file: Blob,
  fileName: string,
  onProgress: (sent: number, total: number) => void,
) => Promise<UploadAnswer>;

export function sourceUploader(auth: () => Record<string, string>): SourceUpload {
  return (id, file, fileName, onProgress) =>
    new Promise((resolve, reject) => {
      const url = new URL(`/api/v1/avatars/${encodeURIComponent(id)}/source`, location.href).href;
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const [name, value] of Object.entries(auth())) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
      xhr.addEventListener('load', () => {
        let body: unknown = xhr.responseText;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // not JSON: a proxy's page, an empty body
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as UploadAnswer);
        else reject(apiErrorOf(xhr, body));
      });
      xhr.addEventListener('error', () => reject(unreachable(url, null)));
      xhr.addEventListener('abort', () => reject(new AvatarApiError(0, { error: 'The upload was cancelled.', code: 'aborted' })));
      const form = new FormData();
      form.append('file', file, fileName);
      xhr.send(form);
    });
}
