import type { DatabaseConnection, Driver } from 'kysely';
import { DomainError } from '../core/errors.js';

/**
 * Translates database errors with a domain meaning into DomainErrors at the driver, so that every
 * query (reads and writes, both backends) reports them alike: a broken unique or check constraint
 * is a `conflict`, never a 500; a database that cannot be reached, a cut connection, a statement
 * that ran out of time or a deadlock is `unavailable` (503 with Retry-After).
 */
export function mapDatabaseError(error: unknown): unknown {
  if (error instanceof DomainError || !(error instanceof Error)) return error;
  const e = error as Error & { code?: string; constraint?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  // PostgreSQL SQLSTATEs.
  if (code === '23505' || code === '23514' || code === '23P01') {
    return new DomainError(
      'conflict',
      `the change conflicts with a stored record (${e.constraint ?? 'constraint'})`,
    );
  }
  if (code === '40P01' || code === '40001') return new TransientConflict();
  if (code === '57014') {
    return new DomainError('unavailable', 'the database took too long to answer', [], 1);
  }
  if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '53000') {
    return new DomainError('unavailable', 'the database is unavailable', [], 1);
  }
  // SQLite.
  if (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_CHECK'
  ) {
    return new DomainError('conflict', `the change conflicts with a stored record (${e.message})`);
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR') {
    return new DomainError('unavailable', 'the database is busy or cannot write', [], 1);
  }
  // Node and pg connection failures carry no SQLSTATE.
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(
      code,
    ) ||
    /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Query read timeout|Connection ended/i.test(
      e.message,
    )
  ) {
    return new DomainError('unavailable', 'the database is unavailable', [], 1);
  }
  return error;
}

/**
 * A deadlock or serialization failure: the job was rolled back to its savepoint and may simply run
 * again (the write batcher does so); it reaches a client only when that keeps failing.
 */
export class TransientConflict extends DomainError {
  constructor() {
    super('unavailable', 'a concurrent change got in the way: retry', [], 1);
  }
}

/** A driver whose connections throw mapped errors (see mapDatabaseError). */
export function mappingErrors(driver: Driver): Driver {
  const wrap = (connection: DatabaseConnection): DatabaseConnection =>
    new Proxy(connection, {
      get(target, property, receiver) {
        if (property === 'executeQuery') {
          return async (...args: Parameters<DatabaseConnection['executeQuery']>) => {
            try {
              return await target.executeQuery(...args);
            } catch (error) {
              throw mapDatabaseError(error);
            }
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
  const unwrap = new WeakMap<DatabaseConnection, DatabaseConnection>();
  return new Proxy(driver, {
    get(target, property, receiver) {
      if (property === 'acquireConnection') {
        return async () => {
          let connection: DatabaseConnection;
          try {
            connection = await target.acquireConnection();
          } catch (error) {
            throw mapDatabaseError(error);
          }
          const wrapped = wrap(connection);
          unwrap.set(wrapped, connection);
          return wrapped;
        };
      }
      if (property === 'releaseConnection') {
        return (connection: DatabaseConnection) =>
          target.releaseConnection(unwrap.get(connection) ?? connection);
      }
      if (
        property === 'beginTransaction' ||
        property === 'commitTransaction' ||
        property === 'rollbackTransaction' ||
        property === 'savepoint' ||
        property === 'rollbackToSavepoint' ||
        property === 'releaseSavepoint'
      ) {
        const method = Reflect.get(target, property, receiver) as
          ((...a: unknown[]) => Promise<void>) | undefined;
        if (!method) return undefined;
        return async (connection: DatabaseConnection, ...rest: unknown[]) => {
          try {
            // The wrapped connection: statements the driver sends are mapped as well.
            await method.call(target, connection, ...rest);
          } catch (error) {
            throw mapDatabaseError(error);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
