import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { SCOPES, type Scope } from '../domain/context.ts';
import { issueApiKey, toApiKeyObject } from '../domain/keys/issue-api-key.ts';
import { KEY_ID_PATTERN } from '../domain/ids.ts';
import { isPrincipalId, isSingleLineText } from '../domain/text-rules.ts';
import { migrate, openStore, type Store } from '../store/database.ts';

/** Runs `work` against the configured store (DATA_DIR or DATABASE_URL), migrated, then closes it. */
async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = openStore(config);
  try {
    await migrate(store);
    return await work(store);
  } finally {
    await store.close();
  }
}

function scopesOption(value: string): Scope[] {
  const scopes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`scopes must be a comma-separated list of ${SCOPES.join(', ')}.`);
  }
  return scopes as Scope[];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError('must be a whole number of days from 1 to 3650.');
  return n;
}

function principalId(value: string): string {
  if (!isPrincipalId(value)) throw new InvalidArgumentError('must be 1 to 200 characters without spaces or control characters.');
  return value;
}

function keyName(value: string): string {
  if (value.length > 200 || !isSingleLineText(value)) {
    throw new InvalidArgumentError('must be at most 200 characters without control characters.');
  }
  return value;
}

const program = new Command('avatars').description('The Avatars API server and its administration.');

program
  .command('serve')
  .description('Start the API server (PORT, DATA_DIR, DATABASE_URL, PUBLIC_URL from the environment).')
  .action(async () => {
    // The server (and its renderer, model and cloud clients) loads only for `serve`: key commands stay quick.
    const { serve } = await import('../server.ts');
    await serve(loadConfig());
  });

program
  .command('migrate')
  .description('Bring the database schema up to date (the server also does this at start).')
  .action(async () => {
    const applied = await withStore(migrate);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  });

const keys = program.command('keys').description('Manage API keys.');

keys
  .command('create')
  .description('Make an API key; its secret is printed once and never stored.')
  .requiredOption('--user <id>', 'the user the key acts as', principalId)
  .option('--org <id>', 'the organization the key belongs to', principalId)
  .requiredOption('--scopes <list>', `comma-separated scopes: ${SCOPES.join(',')}`, scopesOption)
  .option('--expires-in-days <n>', 'the key stops working after this many days', positiveInteger)
  .option('--name <text>', 'a label to recognise the key by', keyName)
  .option('--json', 'print one JSON object')
  .action(async (options: { user: string; org?: string; scopes: Scope[]; expiresInDays?: number; name?: string; json?: boolean }) => {
    const key = await withStore((store) =>
      issueApiKey(store, {
        userId: options.user,
        organizationId: options.org ?? null,
        scopes: options.scopes,
        expiresInDays: options.expiresInDays ?? null,
        name: options.name ?? null,
      }),
    );
    if (options.json) console.log(JSON.stringify(key));
    else {
      console.log(
        `Created ${key.id} for user ${key.userId}${key.organizationId ? ` in ${key.organizationId}` : ''} (${key.scopes.join(', ')}).`,
      );
      console.log(`Secret (shown only now; send it as the X-API-Key header):\n${key.key}`);
    }
  });

keys
  .command('list')
  .description('List keys (never their secrets).')
  .option('--user <id>', "only this user's keys")
  .option('--json', 'print JSON')
  .action(async (options: { user?: string; json?: boolean }) => {
    const all = (await withStore((store) => store.apiKeys.list(options.user))).map(toApiKeyObject);
    if (options.json) return console.log(JSON.stringify(all));
    if (all.length === 0) return console.log('No keys.');
    for (const k of all) {
      const state = k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'active';
      console.log(`${k.id}  ${k.prefix}…  ${state.padEnd(7)}  user=${k.userId}  org=${k.organizationId ?? '-'}  ${k.scopes.join(',')}`);
    }
  });

keys
  .command('revoke <id>')
  .description('Revoke a key; running servers refuse it from their next request.')
  .action(async (id: string) => {
    const done = await withStore(async (store) => {
      if (!KEY_ID_PATTERN.test(id)) return 'unknown';
      const keyStore = store.apiKeys;
      const key = await keyStore.findById(id);
      if (!key) return 'unknown';
      if (key.revokedAt) return 'already';
      await keyStore.revoke(id, new Date().toISOString());
      return 'revoked';
    });
    if (done === 'unknown') {
      console.error(`No key with id "${id}".`);
      process.exitCode = 1;
    } else console.log(done === 'already' ? `${id} was already revoked.` : `Revoked ${id}.`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error));
  process.exit(1);
});
