// The tenancy matrix's view of a server: HTTP at `url`, keys made, revoked and expired directly in its store.
import type { Store } from '../../../src/store/database.ts';
import { issueApiKey } from '../../../src/domain/keys/issue-api-key.ts';
import type { MatrixServer } from './tenancy-matrix.ts';

export function matrixServer(url: string, store: Store): MatrixServer {
  return {
    url,
    async makeKey(userId, organizationId, scopes) {
      const issued = await issueApiKey(store, { userId, organizationId, scopes });
      return { id: issued.id, key: issued.key };
    },
    async makeDeadKey(userId, organizationId, how) {
      const issued = await issueApiKey(store, { userId, organizationId, scopes: ['avatars:read', 'avatars:write', 'keys:admin'] });
      const at = new Date(Date.now() - 1000).toISOString();
      await store.db
        .updateTable('api_keys')
        .set(how === 'revoked' ? { revoked_at: at } : { expires_at: at })
        .where('id', '=', issued.id)
        .execute();
      return issued.key;
    },
  };
}
