import path from 'node:path';

/** Every setting of the API server, read from the environment and validated once. */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded SQLite file and local blobs live. */
  dataDir: string;
  /** PostgreSQL when set (`postgres://...`); otherwise the SQLite file `${dataDir}/avatars.db`. */
  databaseUrl: string | null;
  /** PostgreSQL schema for every table (default: the connection's search_path, usually public). */
  databaseSchema: string | null;
  /** Base URL clients use to reach this server (blob URLs are built from it). */
  publicUrl: string;
  /** Requests per minute per API key; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Largest JSON body accepted, bytes. */
  bodyLimitBytes: number;
  /** Largest VRM upload, bytes. */
  maxVrmBytes: number;
  /** Largest portrait upload, bytes. */
  maxImageBytes: number;
  logLevel: string;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL; leave it unset for the embedded SQLite store.');
  }
  const databaseSchema = env.DATABASE_SCHEMA || null;
  if (databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError('DATABASE_SCHEMA must be a lower-case PostgreSQL identifier.');
  }
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL; got "${env.PUBLIC_URL}".`);
  }
  const mib = 1024 * 1024;
  return {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    databaseSchema,
    publicUrl,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
    bodyLimitBytes: 1 * mib,
    maxVrmBytes: integer(env, 'MAX_VRM_MB', 64, 1, 4096) * mib,
    maxImageBytes: integer(env, 'MAX_IMAGE_MB', 20, 1, 1024) * mib,
    logLevel: env.LOG_LEVEL || 'info',
  };
}
