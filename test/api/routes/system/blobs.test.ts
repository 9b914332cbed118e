import { describe, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';

// A stored file served whole, by range, with its ETag and 304, is in ../avatars/upload-source.test.ts; the headers
// that keep an uploaded file from running as a page, in ../../upload-safety.test.ts.
describe.each(STORE_KINDS)('GET /blobs/* (%s)', (kind) => {
  const server = serverPerSuite(kind);

  describe('error', () => {
    it('serves blobs only under their exact keys', async () => {
      expectError(await server.api('GET', '/blobs/avatars/avt_x/../../avatars.db'), 404, 'not-found');
      expectError(await server.api('GET', `/blobs/avatars/avt_0000000000000000/${'0'.repeat(64)}.vrm`), 404, 'not-found');
    });
  });
});
