/**
 * The ledger bench's databases: a fresh SQLite file or a throw-away PostgreSQL database, opened
 * migrated through the app's own openDatabase; outbox rows written as auditStore.append writes
 * them; the ledger tables grown with synthetic leaves through the store's own append; and the
 * bytes each table takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { NewDomainEvent } from '../../src/core/events.js';
import { frontierAt } from '../../src/app/ledger.js';
import type { LedgerLeaf, LedgerNode } from '../../src/core/ledger/records.js';
import { SALT_BYTES } from '../../src/core/ledger/leaf.js';
import { openDatabase, type Backend, type Database } from '../../src/storage/database.js';
import { syntheticLeafHash } from './memory-tree.js';

export interface BenchDatabase {
  backend: Backend;
  db: Database;
  where: string;
  /** Closes the database and deletes it (file or database); safe to call twice. */
  drop(): Promise<void>;
}

/** A fresh, migrated database on `backend`; PostgreSQL through `serverUrl` (created and dropped). */
export async function freshDatabase(
  backend: Backend,
  serverUrl: string | undefined,
): Promise<BenchDatabase> {
  let dropped = false;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenlane-bench-ledger-'));
    const file = path.join(dir, 'greenlane.db');
    const db = await openDatabase({ sqlitePath: file });
    return {
      backend,
      db,
      where: file,
      drop: async () => {
        if (dropped) return;
        dropped = true;
        await db.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `greenlane_bench_ledger_${Date.now()}_${process.pid}`;
  await withPg(serverUrl!, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  // A long statement timeout: the size queries and ANALYZE of ten million rows take a while.
  const db = await openDatabase({ url: url.toString(), statementTimeoutMs: 600_000 });
  return {
    backend,
    db,
    where: `${url.host}/${name} (dropped afterwards)`,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await db.close().catch(() => undefined);
      await withPg(serverUrl!, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withPg<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Inserts the events into the outbox with the columns and values auditStore.append gives them,
 * one transaction (and so, on PostgreSQL, one txid) per `perTransaction` events, as the write
 * batcher commits a group of use cases. Rows in multi-row statements: one per event would be the
 * same rows, written ten times slower.
 */
export async function fillOutbox(
  db: Database,
  events: readonly NewDomainEvent[],
  perTransaction = 500,
): Promise<void> {
  for (let i = 0; i < events.length; i += perTransaction) {
    const rows = events.slice(i, i + perTransaction).map((e) => ({
      kind: e.kind,
      subject_type: e.subjectType,
      subject_id: e.subjectId,
      agency_id: e.agencyId,
      actor_id: e.actorId,
      at: e.at,
      data: JSON.stringify(e.data),
    }));
    await db.kysely.transaction().execute(async (trx) => {
      for (let j = 0; j < rows.length; j += 1000) {
        await trx
          .insertInto('outbox')
          .values(rows.slice(j, j + 1000))
          .execute();
      }
    });
  }
}

/**
 * Grows the stored log to `to` leaves with synthetic leaves (32-byte commitments with a salt, as
 * a confidential event's), through the store's own `ledger.append` (multi-row inserts) in
 * transactions of `perTransaction` leaves: the hashes are those CompactRange computes, continuing
 * the stored tree's frontier, so every proof over them verifies. Positions continue after
 * `positionFrom`, beyond the outbox (these leaves have no event: `ledger verify` would fail).
 */
export async function growSynthetic(
  db: Database,
  to: number,
  options: {
    seed: number;
    positionFrom: number;
    perTransaction?: number;
    onProgress?: (size: number) => void;
  },
): Promise<void> {
  const per = options.perTransaction ?? 20_000;
  const state = await db.read.ledger.state();
  const range = await frontierAt(db.read, state.size);
  while (range.size < to) {
    const from = range.size;
    const end = Math.min(to, from + per);
    const salts = randomBytes((end - from) * SALT_BYTES);
    const leaves: LedgerLeaf[] = [];
    const nodes: LedgerNode[] = [];
    for (let idx = from; idx < end; idx++) {
      const hash = syntheticLeafHash(idx, options.seed);
      for (const made of range.append(hash)) {
        if (made.id.level > 0)
          nodes.push({ level: made.id.level, idx: made.id.index, hash: made.hash });
      }
      const s = (idx - from) * SALT_BYTES;
      leaves.push({
        idx,
        position: options.positionFrom + 1 + idx,
        hash,
        salt: salts.subarray(s, s + SALT_BYTES),
      });
    }
    const ok = await db.write((tx) =>
      tx.ledger.append({
        from,
        to: end,
        cursor: state.cursor,
        at: new Date().toISOString(),
        leaves,
        nodes,
      }),
    );
    if (!ok) throw new Error('the ledger grew while the bench filled it');
    options.onProgress?.(end);
  }
}

/** Bytes on disk of the ledger's leaves and nodes (with their indexes), of the outbox, and in all. */
export interface StorageSizes {
  ledgerLeaves: number;
  ledgerNodes: number;
  outbox: number;
  total: number;
}

/** What the tables take: SQLite's dbstat (pages of each b-tree), PostgreSQL's relation sizes. */
export async function storageSizes(db: Database): Promise<StorageSizes> {
  if (db.backend === 'sqlite') {
    const rows = await sql<{
      name: string;
      bytes: number;
    }>`select name, sum(pgsize) as bytes from dbstat group by name`.execute(db.kysely);
    const of = (table: string) =>
      rows.rows
        .filter((r) => r.name === table || indexOf(r.name, table))
        .reduce((n, r) => n + Number(r.bytes), 0);
    const pages = await sql<{
      n: number;
    }>`select page_count * page_size as n from pragma_page_count, pragma_page_size`.execute(
      db.kysely,
    );
    return {
      ledgerLeaves: of('ledger_leaves'),
      ledgerNodes: of('ledger_nodes'),
      outbox: of('outbox'),
      total: Number(pages.rows[0]!.n),
    };
  }
  const r = await sql<{ leaves: string; nodes: string; outbox: string; total: string }>`
    select pg_total_relation_size('ledger_leaves') as leaves,
      pg_total_relation_size('ledger_nodes') as nodes,
      pg_total_relation_size('outbox') as outbox,
      pg_database_size(current_database()) as total`.execute(db.kysely);
  const row = r.rows[0]!;
  return {
    ledgerLeaves: Number(row.leaves),
    ledgerNodes: Number(row.nodes),
    outbox: Number(row.outbox),
    total: Number(row.total),
  };
}

/** SQLite's own and the migrations' indexes of `table`. */
function indexOf(name: string, table: string): boolean {
  const own: Record<string, readonly string[]> = {
    outbox: ['outbox_order', 'outbox_subject', 'outbox_at'],
  };
  return name.startsWith(`sqlite_autoindex_${table}_`) || (own[table] ?? []).includes(name);
}

/** PostgreSQL: the statistics autovacuum would have gathered on a table this size. */
export async function analyzeLedger(db: Database): Promise<void> {
  if (db.backend === 'postgres') {
    await sql`analyze ledger_leaves`.execute(db.kysely);
    await sql`analyze ledger_nodes`.execute(db.kysely);
    await sql`analyze outbox`.execute(db.kysely);
  }
}
