import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';

/**
 * The database cannot be reached: down, restarting, refusing or dropping connections, or (SQLite) locked past its busy
 * timeout. The store raises it for every such failure of either driver, so code above the store never reads driver
 * error codes; the API answers 503 with Retry-After until the database comes back.
 */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    // The driver's words stay in the message: the CLI prints it, and the logs show it.
    super(`The database cannot be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailable';
  }
}

/** Node's socket codes, PostgreSQL's shutdown and connection classes (57P0x, 08xxx), and SQLite's lock timeout. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

/** pg's own errors for a lost connection or a connect that timed out carry no code, only these messages. */
const UNREACHABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

function isUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  return typeof message === 'string' && UNREACHABLE_MESSAGE.test(message);
}

/** Rethrows a driver's error, as DatabaseUnavailable when it says the database cannot be reached. */
export function rethrowUnreachable(error: unknown): never {
  throw isUnreachable(error) ? new DatabaseUnavailable(error) : error;
}

/** A kysely dialect whose every query, connection and transaction step raises DatabaseUnavailable as above. */
export function raisingUnavailable(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new UnavailableRaisingDriver(dialect.createDriver()),
  };
}

class UnavailableRaisingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(query).catch(rethrowUnreachable);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      rethrowUnreachable(error);
    }
  }
}

type Compile = QueryCompiler['compileQuery'];

/** Hands the driver its own connections back (pg releases a client through it), catching what each step raises. */
class UnavailableRaisingDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init().catch(rethrowUnreachable);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new UnavailableRaisingConnection(await this.inner.acquireConnection().catch(rethrowUnreachable));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(innerOf(connection), settings).catch(rethrowUnreachable);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(innerOf(connection)).catch(rethrowUnreachable);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(innerOf(connection)).catch(rethrowUnreachable);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    await this.inner.savepoint!(innerOf(connection), name, compile).catch(rethrowUnreachable);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    await this.inner.rollbackToSavepoint!(innerOf(connection), name, compile).catch(rethrowUnreachable);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    await this.inner.releaseSavepoint!(innerOf(connection), name, compile).catch(rethrowUnreachable);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof UnavailableRaisingConnection ? connection.inner : connection;
}
