import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type RawBuilder } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalOfUser } from '../app/authenticate.js';
import { seedDemo } from '../app/bootstrap.js';
import { recordInspection } from '../app/controls.js';
import { recordAgreement, registerPartner } from '../app/exchange-directory.js';
import { generateDeclarations } from '../app/generate-declarations.js';
import { LedgerAppender, signCheckpointIfDue } from '../app/ledger.js';
import { OutboxDispatcher } from '../app/outbox-dispatcher.js';
import { submitDeclaration } from '../app/submit-declaration.js';
import { readConfig, type Config } from '../config.js';
import { canonicalBytes } from '../core/exchange/canonical-json.js';
import { formatCheckpoint } from '../core/ledger/checkpoint.js';
import { cosign } from '../core/ledger/cosignature.js';
import { parseNote, signNote } from '../core/ledger/note.js';
import { SeededRandom } from '../core/random.js';
import type { Backend } from '../storage/database.js';
import type { DB } from '../storage/schema.js';
import { testContext } from '../test-support/app.js';
import { BACKENDS, freshDatabase, TEST_POSTGRES_URL } from '../test-support/databases.js';
import { outsiderKeys } from '../test-support/exchange-nodes.js';
import { ledgerVerify } from './commands/ledger.js';
import { startExchangeNode } from './exchange-node.js';

/**
 * `greenlane ledger verify` against tampered copies of a realistic log (issue 16): the demo's
 * history (the reference library approved by customs and the environmental agency, permits,
 * controls, 300 declarations, cargo reports), the node joining the exchange with a partner, and
 * a few hundred more generated declarations and controls, appended to the ledger page by page
 * with a checkpoint signed every few pages and two of them cosigned by the partner. Each random
 * tampering (seeded) is applied to its own copy of that database, as someone with write access
 * to the database but not to the node key would, and must be detected and named.
 *
 * Not detectable from the database alone, so not generated: a clean roll-back (the last leaves,
 * events and every checkpoint and cosignature above them deleted together) and a checkpoint
 * deleted with every cosignature of it; nothing left in the database refers to them, and only the
 * witnesses, who keep what they cosigned, can tell.
 */

const NODE_ID = 'BY/GTK';
const WITNESS_ID = 'KZ/KGD';
const SEED = Number(process.env.GREENLANE_TAMPER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES: Record<Backend, number> = { sqlite: 1000, postgres: 100 };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** An outbox row as stored (the columns a leaf commits to, and the delivery order's txid). */
interface EventRow {
  position: number;
  txid: number;
  kind: string;
  at: string;
  agency_id: string;
  actor_id: string | null;
  subject_type: string;
  subject_id: string;
  data: string;
}
const CONTENT = [
  'kind',
  'at',
  'agency_id',
  'actor_id',
  'subject_type',
  'subject_id',
  'data',
] as const;

/** The untouched log, as the tamperings need to know it. */
interface Pristine {
  events: EventRow[];
  byPosition: Map<number, EventRow>;
  leaves: Array<{ idx: number; position: number; hash: Buffer; salt: Buffer | null }>;
  nodes: Array<{ level: number; idx: number; hash: Buffer }>;
  checkpoints: Array<{ size: number; root: Buffer; note: string }>;
  cosignatures: Array<{ size: number; witness: string; line: string; time: number }>;
  size: number;
}

/** One tampering: what it does, how, and what the report must name. */
interface Tampering {
  family: string;
  what: string;
  apply(db: Kysely<DB>): Promise<void>;
  names: string | RegExp;
}

/** A copy of the pristine database for one case. */
interface Copy {
  config: Config;
  /** Raw access, as someone with the database's credentials has (no foreign keys in SQLite). */
  open(): Kysely<DB>;
  drop(): Promise<void>;
}

interface Fixture {
  pristine: Pristine;
  copy(): Promise<Copy>;
  /** Environment for `greenlane ledger verify` on a copy, as a child process. */
  env(copy: Copy): Record<string, string>;
  close(): Promise<void>;
}

/** Runs a statement that must change something: a tampering that touches no row is a bug here. */
async function change(db: Kysely<DB>, query: RawBuilder<unknown>, what: string): Promise<void> {
  const r = await query.execute(db);
  if (Number(r.numAffectedRows ?? 0n) === 0) throw new Error(`tampering changed nothing: ${what}`);
}

/** The text with the character at `i` replaced by another printable ASCII character. */
function flipChar(random: SeededRandom, text: string, i: number): string {
  let c: string;
  do c = String.fromCharCode(random.int(0x21, 0x7e));
  while (c === text[i]);
  return text.slice(0, i) + c + text.slice(i + 1);
}

/** A position in the text holding an ASCII character (one byte in UTF-8). */
function asciiIndex(random: SeededRandom, text: string): number {
  for (;;) {
    const i = random.int(0, text.length - 1);
    if (text.charCodeAt(i) < 0x80) return i;
  }
}

function flipByte(random: SeededRandom, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const i = random.int(0, out.length - 1);
  out[i] = (out[i]! + random.int(1, 255)) % 256;
  return out;
}

/** The event's content as the leaf commits to it (the data parsed), for telling real changes from void ones. */
function contentOf(e: Omit<EventRow, 'position' | 'txid'>): string | null {
  try {
    const data = JSON.parse(e.data) as unknown;
    return Buffer.from(canonicalBytes({ ...e, data })).toString('hex');
  } catch {
    return null;
  }
}

function leafName(p: Pristine, idx: number): string {
  return `leaf ${idx} (event at outbox position ${p.leaves[idx]!.position})`;
}

/**
 * The tamperings, each drawn at random from the pristine log. Every one really changes what the
 * log says: a byte changed to another, a JSON document changed to one that parses differently
 * (or not at all), two events swapped only when they differ.
 */
function tamperings(p: Pristine, backend: Backend, voided: { count: number }) {
  const N = p.size;
  const maxPosition = Math.max(...p.events.map((e) => e.position));
  const anyLeaf = (r: SeededRandom) => r.int(0, N - 1);
  const eventAt = (idx: number) => p.byPosition.get(p.leaves[idx]!.position)!;
  const checkpoint = (r: SeededRandom) => r.pick(p.checkpoints);
  const forged = (r: SeededRandom): Omit<EventRow, 'position' | 'txid'> => {
    const model = eventAt(anyLeaf(r));
    return {
      ...model,
      subject_id: `${model.subject_id}-forged`,
      data: JSON.stringify({ note: 'inserted by hand', n: r.int(0, 1e6) }),
    };
  };
  const insert = (
    db: Kysely<DB>,
    e: Omit<EventRow, 'position' | 'txid'>,
    pos: number,
    txid: number,
  ) =>
    change(
      db,
      sql`insert into outbox (position, txid, kind, subject_type, subject_id, agency_id, actor_id, at, data)
          values (${pos}, ${txid}, ${e.kind}, ${e.subject_type}, ${e.subject_id}, ${e.agency_id}, ${e.actor_id}, ${e.at}, ${e.data})`,
      'insert',
    );
  const cursor = { txid: eventAt(N - 1).txid, position: eventAt(N - 1).position };
  /**
   * The first leaf whose event is no longer the next in delivery order, up to the ledger's cursor,
   * once `rows` are the outbox; -1 when the order is the same.
   */
  const firstOutOfOrder = (rows: ReadonlyArray<{ txid: number; position: number }>) => {
    const order = rows
      .filter(
        (e) => e.txid < cursor.txid || (e.txid === cursor.txid && e.position <= cursor.position),
      )
      .sort((a, b) => a.txid - b.txid || a.position - b.position);
    const i = p.leaves.findIndex((l, k) => order[k]?.position !== l.position);
    return i === -1 && order.length > N ? N : i;
  };

  const families: Array<[string, number, (r: SeededRandom) => Tampering]> = [
    [
      'event byte',
      30,
      (r) => {
        for (;;) {
          const idx = anyLeaf(r);
          const e = eventAt(idx);
          const column = r.pick(CONTENT);
          const before = e[column];
          let after: string | null;
          if (before === null || (column === 'actor_id' && r.chance(0.1))) {
            after = before === null ? 'someone' : null;
          } else {
            after = flipChar(r, before, asciiIndex(r, before));
          }
          // A JSON document that still parses to the same value says the same thing: draw again.
          if (column === 'data' && contentOf({ ...e, data: after! }) === contentOf(e)) {
            voided.count++;
            continue;
          }
          return {
            family: 'event byte',
            what: `${column} of the event of leaf ${idx} (position ${e.position}): ${JSON.stringify(before)?.slice(0, 60)} → ${JSON.stringify(after)?.slice(0, 60)}`,
            apply: (db) =>
              change(
                db,
                sql`update outbox set ${sql.ref(column)} = ${after} where position = ${e.position}`,
                'event byte',
              ),
            names: leafName(p, idx),
          };
        }
      },
    ],
    [
      'event deleted',
      10,
      (r) => {
        const idx = anyLeaf(r);
        const { position } = p.leaves[idx]!;
        return {
          family: 'event deleted',
          what: `the event of leaf ${idx} (position ${position}) deleted`,
          apply: (db) => change(db, sql`delete from outbox where position = ${position}`, 'delete'),
          names: leafName(p, idx),
        };
      },
    ],
    [
      'event inserted',
      10,
      (r) => {
        const e = forged(r);
        const way = r.pick([
          'renumbered',
          'before the first',
          'after the last',
          'same txid',
        ] as const);
        if (way === 'renumbered' || (way === 'same txid' && backend === 'sqlite')) {
          // Positions are dense: make room by moving every later event up by one.
          const idx = anyLeaf(r);
          const at = p.leaves[idx]!.position;
          return {
            family: 'event inserted',
            what: `an event inserted at position ${at} (leaf ${idx}), the later ones renumbered`,
            apply: async (db) => {
              await change(
                db,
                sql`update outbox set position = -position - 1 where position >= ${at}`,
                'shift',
              );
              await change(
                db,
                sql`update outbox set position = -position where position < 0`,
                'shift',
              );
              await insert(db, e, at, eventAt(idx).txid);
            },
            // PostgreSQL: an earlier transaction's event may have a later position.
            names: leafName(
              p,
              p.leaves.findIndex((l) => l.position >= at),
            ),
          };
        }
        if (way === 'before the first') {
          // A transaction id below every reader's starting point: no subscriber ever reads it, but
          // the audit trail (a view over the outbox) shows it.
          return {
            family: 'event inserted',
            what: `an event inserted at position ${maxPosition + 1} with txid -1 (before every other)`,
            apply: (db) => insert(db, e, maxPosition + 1, -1),
            names: `where ${leafName(p, 0)} should be`,
          };
        }
        if (way === 'after the last') {
          // Appended, and the ledger's cursor moved past it as if it had been read.
          const txid = eventAt(N - 1).txid;
          return {
            family: 'event inserted',
            what: `an event appended at position ${maxPosition + 1}, the ledger's cursor moved past it`,
            apply: async (db) => {
              await insert(db, e, maxPosition + 1, txid);
              await change(
                db,
                sql`update ledger_state set cursor_txid = ${txid}, cursor_position = ${maxPosition + 1}`,
                'cursor',
              );
            },
            names: `outbox position ${maxPosition + 1} is not in the ledger`,
          };
        }
        // PostgreSQL: a row of an earlier transaction sorts among the ledgered ones.
        const txids = [...new Set(p.events.map((x) => x.txid))].sort((a, b) => a - b);
        const txid = r.pick(txids.slice(0, -1));
        const rows = [...p.events, { txid, position: maxPosition + 1 }];
        const idx = firstOutOfOrder(rows);
        return {
          family: 'event inserted',
          what: `an event inserted at position ${maxPosition + 1} in transaction ${txid}`,
          apply: (db) => insert(db, e, maxPosition + 1, txid),
          names: `outbox position ${maxPosition + 1} is where ${leafName(p, idx)} should be`,
        };
      },
    ],
    [
      'events reordered',
      10,
      (r) => {
        for (;;) {
          const i = anyLeaf(r);
          const j = r.chance(0.3) ? Math.min(i + 1, N - 1) : anyLeaf(r);
          if (i === j) continue;
          const [lo, hi] = i < j ? [i, j] : [j, i];
          const a = eventAt(lo);
          const b = eventAt(hi);
          if (contentOf(a) === contentOf(b)) {
            voided.count++;
            continue;
          }
          const way = r.pick(['contents', 'positions', 'leaves', 'txid'] as const);
          if (way === 'txid') {
            // Another transaction id: the event moves in delivery order (or beyond the cursor).
            const txid = a.txid + (r.chance(0.5) ? -1 : 1) * r.int(1, 3);
            const k = firstOutOfOrder(
              p.events.map((e) => (e.position === a.position ? { ...e, txid } : e)),
            );
            if (k === -1) {
              voided.count++;
              continue;
            }
            return {
              family: 'events reordered',
              what: `the event of leaf ${lo} (position ${a.position}) moved from transaction ${a.txid} to ${txid}`,
              apply: (db) =>
                change(
                  db,
                  sql`update outbox set txid = ${txid} where position = ${a.position}`,
                  'txid',
                ),
              names: leafName(p, k),
            };
          }
          if (way === 'contents' || (way === 'positions' && a.txid !== b.txid)) {
            const set = (db: Kysely<DB>, x: EventRow, y: EventRow) =>
              change(
                db,
                sql`update outbox set kind = ${y.kind}, at = ${y.at}, agency_id = ${y.agency_id},
                    actor_id = ${y.actor_id}, subject_type = ${y.subject_type}, subject_id = ${y.subject_id},
                    data = ${y.data} where position = ${x.position}`,
                'swap',
              );
            return {
              family: 'events reordered',
              what: `the contents of the events of leaves ${lo} and ${hi} swapped`,
              apply: async (db) => {
                await set(db, a, b);
                await set(db, b, a);
              },
              names: leafName(p, lo),
            };
          }
          if (way === 'positions') {
            return {
              family: 'events reordered',
              what: `the positions of the events of leaves ${lo} and ${hi} swapped`,
              apply: async (db) => {
                await change(
                  db,
                  sql`update outbox set position = -1 where position = ${a.position}`,
                  'swap',
                );
                await change(
                  db,
                  sql`update outbox set position = ${a.position} where position = ${b.position}`,
                  'swap',
                );
                await change(
                  db,
                  sql`update outbox set position = ${b.position} where position = -1`,
                  'swap',
                );
              },
              names: leafName(p, lo),
            };
          }
          return {
            family: 'events reordered',
            what: `leaves ${lo} and ${hi} swapped (hash, salt and position)`,
            apply: async (db) => {
              await change(db, sql`update ledger_leaves set idx = -1 where idx = ${lo}`, 'swap');
              await change(db, sql`update ledger_leaves set idx = ${lo} where idx = ${hi}`, 'swap');
              await change(db, sql`update ledger_leaves set idx = ${hi} where idx = -1`, 'swap');
            },
            names: `where leaf ${lo} (event at outbox position ${b.position}) should be`,
          };
        }
      },
    ],
    [
      'truncated',
      10,
      (r) => {
        const k = r.chance(0.5) ? r.int(1, 5) : r.int(1, Math.min(N - 1, 400));
        const keep = N - k;
        const way = r.pick(['clean', 'leaves only', 'leaves and events'] as const);
        const positions = p.leaves.slice(keep).map((l) => l.position);
        const dropLeaves = (db: Kysely<DB>) =>
          change(db, sql`delete from ledger_leaves where idx >= ${keep}`, 'truncate');
        const dropEvents = (db: Kysely<DB>) =>
          change(
            db,
            sql`delete from outbox where position in (${sql.join(positions)})`,
            'truncate',
          );
        if (way === 'clean') {
          const last = eventAt(keep - 1);
          const above = p.checkpoints.find((c) => c.size > keep)!;
          return {
            family: 'truncated',
            what: `the last ${k} leaves, their events and subtree hashes deleted and the ledger's state set back to ${keep}`,
            apply: async (db) => {
              await dropLeaves(db);
              await dropEvents(db);
              for (let level = 1; 2 ** level <= N; level++) {
                await sql`delete from ledger_nodes where level = ${level} and idx >= ${Math.floor(keep / 2 ** level)}`.execute(
                  db,
                );
              }
              await change(
                db,
                sql`update ledger_state set size = ${keep}, cursor_txid = ${last.txid}, cursor_position = ${last.position}`,
                'state',
              );
            },
            names: `checkpoint of ${above.size} leaves: the log holds only ${keep} (truncated)`,
          };
        }
        return {
          family: 'truncated',
          what: `the last ${k} leaves${way === 'leaves only' ? '' : ' and their events'} deleted`,
          apply: async (db) => {
            await dropLeaves(db);
            if (way === 'leaves and events') await dropEvents(db);
          },
          names: `the ledger holds ${N} leaves, but its leaves end at ${keep} (truncated)`,
        };
      },
    ],
    [
      'leaf',
      10,
      (r) => {
        const idx = anyLeaf(r);
        const leaf = p.leaves[idx]!;
        const way = r.pick([
          'hash',
          'salt',
          'salt removed or added',
          'position',
          'deleted',
        ] as const);
        if (way === 'deleted' && idx < N - 1)
          return {
            family: 'leaf',
            what: `leaf ${idx} deleted`,
            apply: (db) => change(db, sql`delete from ledger_leaves where idx = ${idx}`, 'leaf'),
            names: `leaf ${idx} is missing from the ledger`,
          };
        if (way === 'position') {
          const other = r.chance(0.5)
            ? maxPosition + r.int(1, 100)
            : p.leaves[anyLeaf(r)]!.position;
          if (other !== leaf.position && !p.leaves.some((l) => l.position === other))
            return {
              family: 'leaf',
              what: `leaf ${idx} pointed at position ${other} instead of ${leaf.position}`,
              apply: (db) =>
                change(
                  db,
                  sql`update ledger_leaves set position = ${other} where idx = ${idx}`,
                  'leaf',
                ),
              names: `leaf ${idx} (event at outbox position ${other})`,
            };
        }
        if (way === 'salt' && leaf.salt !== null && r.chance(0.2)) {
          const salt = leaf.salt.subarray(0, r.int(0, leaf.salt.length - 1));
          return {
            family: 'leaf',
            what: `the salt of leaf ${idx} cut to ${salt.length} bytes`,
            apply: (db) =>
              change(db, sql`update ledger_leaves set salt = ${salt} where idx = ${idx}`, 'salt'),
            names: leafName(p, idx),
          };
        }
        if (way === 'salt' && leaf.salt !== null) {
          const salt = flipByte(r, leaf.salt);
          return {
            family: 'leaf',
            what: `a byte of the salt of leaf ${idx} changed`,
            apply: (db) =>
              change(db, sql`update ledger_leaves set salt = ${salt} where idx = ${idx}`, 'salt'),
            names: leafName(p, idx),
          };
        }
        if (way === 'salt removed or added') {
          const salt = leaf.salt === null ? Buffer.alloc(16, r.int(0, 255)) : null;
          return {
            family: 'leaf',
            what: `the salt of leaf ${idx} ${salt === null ? 'removed' : 'added'}`,
            apply: (db) =>
              change(db, sql`update ledger_leaves set salt = ${salt} where idx = ${idx}`, 'salt'),
            names: leafName(p, idx),
          };
        }
        const hash = flipByte(r, leaf.hash);
        return {
          family: 'leaf',
          what: `a byte of the hash of leaf ${idx} changed`,
          apply: (db) =>
            change(db, sql`update ledger_leaves set hash = ${hash} where idx = ${idx}`, 'hash'),
          names: leafName(p, idx),
        };
      },
    ],
    [
      'subtree hash',
      5,
      (r) => {
        const n = r.pick(p.nodes);
        const key = `subtree hash ${n.level}/${n.idx}`;
        if (r.chance(0.3))
          return {
            family: 'subtree hash',
            what: `${key} deleted`,
            apply: (db) =>
              change(
                db,
                sql`delete from ledger_nodes where level = ${n.level} and idx = ${n.idx}`,
                'node',
              ),
            names: `${key} is missing`,
          };
        const hash = flipByte(r, n.hash);
        return {
          family: 'subtree hash',
          what: `a byte of ${key} changed`,
          apply: (db) =>
            change(
              db,
              sql`update ledger_nodes set hash = ${hash} where level = ${n.level} and idx = ${n.idx}`,
              'node',
            ),
          names: `${key} does not match`,
        };
      },
    ],
    [
      'checkpoint',
      10,
      (r) => {
        const c = checkpoint(r);
        const where = `checkpoint of ${c.size} leaves`;
        const cosigned = p.cosignatures.some((x) => x.size === c.size);
        const way = r.pick([
          'note byte',
          'root byte',
          'other note',
          'other root',
          'forged',
          'size',
          'deleted',
        ] as const);
        const others = p.checkpoints.filter((x) => x.size !== c.size);
        if (way === 'other note' || way === 'other root') {
          const o = r.pick(others);
          const column = way === 'other note' ? 'note' : 'root';
          return {
            family: 'checkpoint',
            what: `the ${column} of the ${where} replaced by that of the checkpoint of ${o.size}`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_checkpoints set ${sql.ref(column)} = ${o[column]} where size = ${c.size}`,
                'checkpoint',
              ),
            names: where,
          };
        }
        if (way === 'forged') {
          // A checkpoint of another tree, signed with a key that is not the node's.
          return {
            family: 'checkpoint',
            what: `the ${where} replaced by one of another root signed by a key not the node's`,
            apply: async (db) => {
              const root = flipByte(r, c.root);
              const intruder = await outsiderKeys(NODE_ID);
              try {
                const text = formatCheckpoint({
                  origin: `greenlane.ledger/${NODE_ID}`,
                  size: c.size,
                  root,
                  extensions: [],
                });
                const note = await signNote(text, [
                  { name: `greenlane.ledger/${NODE_ID}`, ...intruder.keys.rawSigner(new Date()) },
                ]);
                await change(
                  db,
                  sql`update ledger_checkpoints set note = ${note}, root = ${root} where size = ${c.size}`,
                  'checkpoint',
                );
              } finally {
                intruder.drop();
              }
            },
            names: `${where}: its signature does not verify`,
          };
        }
        if (way === 'size' && !cosigned) {
          let size: number;
          do size = r.int(1, N);
          while (p.checkpoints.some((x) => x.size === size));
          return {
            family: 'checkpoint',
            what: `the ${where} said to be of ${size}`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_checkpoints set size = ${size} where size = ${c.size}`,
                'checkpoint',
              ),
            names: `checkpoint of ${size} leaves`,
          };
        }
        if (way === 'deleted' && cosigned) {
          // Its cosignature stays (SQLite keeps foreign keys off unless asked; PostgreSQL: as a
          // superuser can, with triggers off).
          return {
            family: 'checkpoint',
            what: `the cosigned ${where} deleted, its cosignature left`,
            apply: async (db) => {
              await (
                backend === 'postgres'
                  ? sql`set session_replication_role = replica`
                  : sql`pragma foreign_keys = off`
              ).execute(db);
              await change(
                db,
                sql`delete from ledger_checkpoints where size = ${c.size}`,
                'checkpoint',
              );
            },
            names: where,
          };
        }
        if (way === 'root byte') {
          const root = flipByte(r, c.root);
          return {
            family: 'checkpoint',
            what: `a byte of the root of the ${where} changed`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_checkpoints set root = ${root} where size = ${c.size}`,
                'checkpoint',
              ),
            names: `${where}: its root does not match`,
          };
        }
        const note = flipChar(r, c.note, asciiIndex(r, c.note));
        return {
          family: 'checkpoint',
          what: `a byte of the note of the ${where} changed`,
          apply: (db) =>
            change(
              db,
              sql`update ledger_checkpoints set note = ${note} where size = ${c.size}`,
              'checkpoint',
            ),
          names: where,
        };
      },
    ],
    [
      'cosignature',
      5,
      (r) => {
        const c = r.pick(p.cosignatures);
        const names = `checkpoint of ${c.size} leaves: the cosignature of ${WITNESS_ID} does not verify`;
        const way = r.pick(['line byte', 'time', 'other line', 'moved'] as const);
        const others = p.cosignatures.filter((x) => x.size !== c.size);
        if (way === 'other line')
          return {
            family: 'cosignature',
            what: `the cosignature of the checkpoint of ${c.size} replaced by that of ${others[0]!.size}`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_cosignatures set line = ${others[0]!.line}, time = ${others[0]!.time} where size = ${c.size}`,
                'cosignature',
              ),
            names,
          };
        if (way === 'moved') {
          const to = r.pick(
            p.checkpoints.filter((x) => !p.cosignatures.some((y) => y.size === x.size)),
          );
          return {
            family: 'cosignature',
            what: `the cosignature of the checkpoint of ${c.size} moved to that of ${to.size}`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_cosignatures set size = ${to.size} where size = ${c.size}`,
                'cosignature',
              ),
            names: `checkpoint of ${to.size} leaves: the cosignature of ${WITNESS_ID} does not verify`,
          };
        }
        if (way === 'time') {
          const time = c.time + (r.chance(0.5) ? -1 : 1) * r.int(1, 86_400);
          return {
            family: 'cosignature',
            what: `the time of the cosignature of the checkpoint of ${c.size} changed by ${time - c.time} s`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_cosignatures set time = ${time} where size = ${c.size}`,
                'cosignature',
              ),
            names,
          };
        }
        const line = flipChar(r, c.line, asciiIndex(r, c.line));
        return {
          family: 'cosignature',
          what: `a byte of the cosignature line of the checkpoint of ${c.size} changed`,
          apply: (db) =>
            change(
              db,
              sql`update ledger_cosignatures set line = ${line} where size = ${c.size}`,
              'cosignature',
            ),
          names,
        };
      },
    ],
    [
      'ledger state',
      5,
      (r) => {
        const way = r.pick(['size up', 'size down', 'cursor back'] as const);
        if (way === 'cursor back') {
          const idx = anyLeaf(r);
          const e = idx === 0 ? { txid: 0, position: 0 } : eventAt(idx - 1);
          return {
            family: 'ledger state',
            what: `the ledger's cursor set back to before leaf ${idx}`,
            apply: (db) =>
              change(
                db,
                sql`update ledger_state set cursor_txid = ${e.txid}, cursor_position = ${e.position}`,
                'state',
              ),
            names: `${leafName(p, idx)}: the outbox ends before it`,
          };
        }
        const k = r.int(1, 50);
        const size = way === 'size up' ? N + k : Math.max(0, N - k);
        return {
          family: 'ledger state',
          what: `the ledger's size set to ${size}`,
          apply: (db) => change(db, sql`update ledger_state set size = ${size}`, 'state'),
          names:
            way === 'size up'
              ? `the ledger holds ${size} leaves, but its leaves end at ${N} (truncated)`
              : `leaf ${size} is beyond the ${size} leaves of the ledger`,
        };
      },
    ],
  ];
  return families;
}

/** Memory when the machine has it (a thousand copies, each synced on close), else the temp dir. */
function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** The demo's history and more, appended to the ledger page by page, checkpointed and cosigned. */
async function buildFixture(backend: Backend): Promise<Fixture> {
  const t = await freshDatabase(backend);
  const dir = mkdtempSync(path.join(scratchDir(), 'greenlane-tamper-'));
  const keyPath = path.join(dir, 'node-key.json');
  const ctx = testContext(t.db);
  await seedDemo(ctx);
  const node = await startExchangeNode(ctx, {
    nodeId: NODE_ID,
    keyPath,
    publicUrl: null,
    startSender: false,
  });
  await node.checkpoints.stop();
  const admin = await principalOfUser(ctx, 'admin');
  const witness = await outsiderKeys(WITNESS_ID);
  try {
    await registerPartner(ctx, admin, {
      id: WITNESS_ID,
      name: 'State Revenue Committee of Kazakhstan (test)',
      keys: witness.keys.publicKeys(),
    });
    await recordAgreement(ctx, admin, {
      partnerId: WITNESS_ID,
      title: 'Agreement on cooperation and mutual assistance in customs matters (test)',
      legalBasis: 'SCO-CUSTOMS-2007',
      messageTypes: ['alert', 'seizure.report'],
      validFrom: '2020-01-01T00:00:00Z',
    });

    // Pages of 61 events, a checkpoint every third page: sizes that are no powers of two.
    const appender = new LedgerAppender(ctx.storage, ctx.clock);
    const dispatcher = new OutboxDispatcher(ctx.storage, ctx.clock, [appender], {
      pollMs: 1000,
      pageSize: 61,
    });
    let pages = 0;
    const append = async () => {
      while ((await dispatcher.once(appender)) > 0)
        if (++pages % 3 === 0) await signCheckpointIfDue(ctx, { force: true });
    };
    await append();

    // More lodgings with the library in force, and controls of some of them, as the day goes on.
    const officer = await principalOfUser(ctx, 'officer');
    const count = 240;
    const now = Date.now();
    const inputs = [...generateDeclarations(count, 16)].map((input, k) => ({
      ...input,
      submittedAt: new Date(now - (count - k) * 30_000).toISOString(),
    }));
    for (let i = 0; i < inputs.length; i += 40) {
      const lodged = await Promise.all(
        inputs
          .slice(i, i + 40)
          .map((input) => submitDeclaration(ctx, officer, { sourceFormat: 'json', input })),
      );
      const controlled = lodged.flatMap((r) =>
        r.outcome === 'created' && r.declaration.channel !== 'green' ? [r.declaration] : [],
      );
      for (const d of controlled.slice(0, 3)) {
        await recordInspection(ctx, officer, d.id, {
          controlForm: d.assessment?.controlForm ?? 'documentary-check',
          startedAt: new Date(now - 600_000).toISOString(),
          endedAt: new Date(now - 300_000).toISOString(),
          result: 'compliant',
          findings: [],
          findingsText: 'Goods as declared.',
          itemsAffected: [],
        });
      }
      await append();
    }
    const final = await signCheckpointIfDue(ctx, { force: true });
    // The last page may have ended on a checkpoint already: how many events the demo makes decides.
    if (!final.signed && final.reason !== 'no-new-leaves') {
      throw new Error(`no final checkpoint: ${final.reason}`);
    }

    // The partner, as witness, cosigns a checkpoint from the middle and the last one.
    const all = await ctx.storage.read.ledger.checkpoints(-1, 1000);
    for (const c of [all[Math.floor(all.length / 2)]!, all[all.length - 1]!]) {
      const time = Math.floor(Date.now() / 1000);
      const line = await cosign(parseNote(c.note).text, time, {
        name: WITNESS_ID,
        ...witness.keys.rawSigner(new Date()),
      });
      await ctx.storage.write((tx) =>
        tx.ledger.insertCosignature({
          size: c.size,
          witness: WITNESS_ID,
          line,
          time,
          receivedAt: new Date().toISOString(),
        }),
      );
    }
  } finally {
    witness.drop();
    await node.close();
    ctx.feed.stop();
  }
  const pristine = await readPristine(t.db.kysely);

  if (backend === 'sqlite') {
    const file = path.join(dir, 'pristine.db');
    await sql`vacuum into ${file}`.execute(t.db.kysely);
    await t.drop();
    let n = 0;
    return {
      pristine,
      async copy() {
        const copy = path.join(dir, `case-${n++}.db`);
        copyFileSync(file, copy);
        return {
          config: readConfig({
            GREENLANE_SQLITE_PATH: copy,
            GREENLANE_NODE_ID: NODE_ID,
            GREENLANE_NODE_KEY: keyPath,
          }),
          open: () =>
            new Kysely<DB>({ dialect: new SqliteDialect({ database: new SQLite(copy) }) }),
          drop: () => {
            for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
            return Promise.resolve();
          },
        };
      },
      env: (copy) => ({
        GREENLANE_SQLITE_PATH: copy.config.sqlitePath,
        GREENLANE_NODE_ID: NODE_ID,
        GREENLANE_NODE_KEY: keyPath,
      }),
      close: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }

  // PostgreSQL: each copy is a database made from the pristine one as its template (the server
  // takes about half a second for each: a tenth of the cases).
  await t.db.close();
  const template = new URL(t.url!).pathname.slice(1);
  const admin0 = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 2 });
  const urlOf = (name: string) => {
    const url = new URL(TEST_POSTGRES_URL!);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const dropDatabase = async (name: string) => {
    await untilNoSessions(admin0, name);
    await admin0.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  await untilNoSessions(admin0, template);
  let n = 0;
  return {
    pristine,
    async copy() {
      const name = `${template}_${n++}`;
      await admin0.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      const url = urlOf(name);
      return {
        config: readConfig({
          GREENLANE_DATABASE_URL: url,
          GREENLANE_NODE_ID: NODE_ID,
          GREENLANE_NODE_KEY: keyPath,
        }),
        open: () =>
          new Kysely<DB>({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
          }),
        drop: () => dropDatabase(name),
      };
    },
    env: (copy) => ({
      GREENLANE_DATABASE_URL: copy.config.databaseUrl!,
      GREENLANE_NODE_ID: NODE_ID,
      GREENLANE_NODE_KEY: keyPath,
    }),
    async close() {
      await dropDatabase(template);
      await admin0.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** pg's Pool.end() resolves before its sessions are gone; a template must have none. */
async function untilNoSessions(admin: pg.Pool, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await admin.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where datname = $1',
      [name],
    );
    if (Number(rows[0]!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`sessions on ${name} do not end`);
}

async function readPristine(db: Kysely<DB>): Promise<Pristine> {
  const events = (
    await db
      .selectFrom('outbox')
      .select([
        'position',
        'txid',
        'kind',
        'at',
        'agency_id',
        'actor_id',
        'subject_type',
        'subject_id',
        'data',
      ])
      .orderBy('txid')
      .orderBy('position')
      .execute()
  ).map((e) => ({ ...e, position: Number(e.position), txid: Number(e.txid) }));
  const leaves = (await db.selectFrom('ledger_leaves').selectAll().orderBy('idx').execute()).map(
    (l) => ({
      idx: Number(l.idx),
      position: Number(l.position),
      hash: Buffer.from(l.hash),
      salt: l.salt === null ? null : Buffer.from(l.salt),
    }),
  );
  const state = await db.selectFrom('ledger_state').selectAll().executeTakeFirstOrThrow();
  return {
    events,
    byPosition: new Map(events.map((e) => [e.position, e])),
    leaves,
    nodes: (await db.selectFrom('ledger_nodes').selectAll().execute()).map((n) => ({
      level: n.level,
      idx: Number(n.idx),
      hash: Buffer.from(n.hash),
    })),
    checkpoints: (
      await db.selectFrom('ledger_checkpoints').selectAll().orderBy('size').execute()
    ).map((c) => ({ size: Number(c.size), root: Buffer.from(c.root), note: c.note })),
    cosignatures: (await db.selectFrom('ledger_cosignatures').selectAll().execute()).map((c) => ({
      size: Number(c.size),
      witness: c.witness,
      line: c.line,
      time: Number(c.time),
    })),
    size: Number(state.size),
  };
}

interface Report {
  ok: boolean;
  leaves: number;
  checkpoints: number;
  cosignatures: number;
  problem: string | null;
}

/** `greenlane ledger verify --json`, in this process, on the copy. */
async function verifyCopy(copy: Copy): Promise<Report> {
  const out: string[] = [];
  const ok = await ledgerVerify(
    copy.config,
    { json: true },
    { out: (l) => out.push(l), err: () => {} },
  );
  const report = JSON.parse(out[0]!) as Report;
  if (report.ok !== ok) throw new Error('ledgerVerify returned other than it printed');
  return report;
}

/** `greenlane ledger verify` as a child process. */
function verifyProcess(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, path.join(ROOT, 'src', 'cli', 'main.ts'), 'ledger', 'verify'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function named(problem: string | null, names: string | RegExp): boolean {
  if (problem === null) return false;
  return typeof names === 'string' ? problem.includes(names) : names.test(problem);
}

/** Applies the tampering to a fresh copy and verifies it; the copy is dropped after. */
async function tamperAndVerify<T>(
  f: Fixture,
  t: Tampering,
  verify: (copy: Copy) => Promise<T>,
): Promise<T> {
  const copy = await f.copy();
  try {
    const db = copy.open();
    try {
      await t.apply(db);
    } finally {
      await db.destroy();
    }
    return await verify(copy);
  } finally {
    await copy.drop();
  }
}

for (const backend of BACKENDS) {
  describe(`greenlane ledger verify on tampered copies (${backend})`, () => {
    let f: Fixture;
    beforeAll(async () => {
      const started = performance.now();
      f = await buildFixture(backend);
      const p = f.pristine;
      console.log(
        `${backend}: a log of ${p.size} leaves (${p.leaves.filter((l) => l.salt === null).length} public), ` +
          `${p.checkpoints.length} checkpoints, ${p.cosignatures.length} cosignatures, built in ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }, 180_000);
    afterAll(async () => {
      await f?.close();
    });

    it('verifies an untouched copy: every event a leaf, every checkpoint and cosignature', async () => {
      const p = f.pristine;
      expect(p.size).toBe(p.events.length);
      expect(p.checkpoints.at(-1)!.size).toBe(p.size);
      const copy = await f.copy();
      try {
        const r = await verifyCopy(copy);
        expect(r).toMatchObject({
          ok: true,
          problem: null,
          leaves: p.size,
          checkpoints: p.checkpoints.length,
          cosignatures: p.cosignatures.length,
        });
      } finally {
        await copy.drop();
      }
    });

    it(`detects and names each of ${CASES[backend]} random tamperings (seed ${SEED}: GREENLANE_TAMPER_SEED=${SEED} draws them again)`, async () => {
      const started = performance.now();
      const random = new SeededRandom(SEED);
      const voided = { count: 0 };
      const families = tamperings(f.pristine, backend, voided);
      const tally = new Map<string, number>();
      const failures: string[] = [];
      for (let n = 0; n < CASES[backend]; n++) {
        const [family, , draw] = random.weighted(families.map((x) => [x, x[1]] as const));
        const t = draw(random);
        tally.set(family, (tally.get(family) ?? 0) + 1);
        try {
          const r = await tamperAndVerify(f, t, verifyCopy);
          if (r.ok) failures.push(`#${n} NOT DETECTED: ${t.what}`);
          else if (!named(r.problem, t.names))
            failures.push(
              `#${n} ${t.what}: reported "${r.problem}", not naming "${String(t.names)}"`,
            );
        } catch (error) {
          failures.push(`#${n} ${t.what}: ${error instanceof Error ? error.stack : String(error)}`);
        }
      }
      console.log(
        `${backend}: ${CASES[backend]} tamperings (seed ${SEED}) in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
          [...tally].map(([k, v]) => `${k} ${v}`).join(', ') +
          `; ${voided.count} void draws (same meaning) drawn again`,
      );
      expect(failures, `seed ${SEED}`).toEqual([]);
    }, 240_000);

    it('names the leaf whose event or salt no longer hashes, instead of failing with the error', async () => {
      const p = f.pristine;
      const idx = p.leaves.findIndex(
        (l) => l.salt !== null && /":\d/.test(p.byPosition.get(l.position)!.data),
      );
      const e = p.byPosition.get(p.leaves[idx]!.position)!;
      // JSON that parses, but to Infinity: canonical JSON (RFC 8785) has no such number.
      const data = e.data.replace(/":(\d)/, '":1e999');
      const cases: Tampering[] = [
        {
          family: 'event byte',
          what: `a number in the data of the event of leaf ${idx} made 1e999`,
          apply: (db) =>
            change(
              db,
              sql`update outbox set data = ${data} where position = ${e.position}`,
              'data',
            ),
          names: `${leafName(p, idx)}: the event or its salt can no longer be hashed`,
        },
        {
          family: 'leaf',
          what: `the salt of leaf ${idx} emptied`,
          apply: (db) =>
            change(
              db,
              sql`update ledger_leaves set salt = ${Buffer.alloc(0)} where idx = ${idx}`,
              'salt',
            ),
          names: `${leafName(p, idx)}: the event or its salt can no longer be hashed`,
        },
      ];
      for (const t of cases) {
        const r = await tamperAndVerify(f, t, verifyCopy);
        expect(r.ok, t.what).toBe(false);
        expect(r.problem, t.what).toContain(t.names);
      }
    });

    it('as a process: exit 0 on an untouched copy, exit 1 naming the event, leaf or checkpoint on tampered ones', async () => {
      const random = new SeededRandom(SEED + 1);
      const families = tamperings(f.pristine, backend, { count: 0 });
      const draw = (family: string) => families.find((x) => x[0] === family)![2](random);
      // Child processes are slow to start (tsx): a few on SQLite, fewer on PostgreSQL.
      const cases = (
        backend === 'sqlite'
          ? ['event byte', 'truncated', 'cosignature']
          : ['event byte', 'checkpoint']
      ).map(draw);
      const untouched = {
        family: 'none',
        what: 'nothing',
        apply: () => Promise.resolve(),
        names: '',
      } satisfies Tampering;
      const runs = await Promise.all(
        [untouched, ...cases].map((t) =>
          tamperAndVerify(f, t, (copy) => verifyProcess(f.env(copy))),
        ),
      );
      const [clean, ...tampered] = runs;
      expect(clean!.code, clean!.stdout + clean!.stderr).toBe(0);
      expect(clean!.stdout).toContain(
        `ledger verified: ${f.pristine.size} leaves, ${f.pristine.checkpoints.length} checkpoints, ${f.pristine.cosignatures.length} cosignatures`,
      );
      tampered.forEach((run, i) => {
        const t = cases[i]!;
        expect(run.code, `${t.what}: ${run.stdout}${run.stderr}`).toBe(1);
        expect(run.stdout, t.what).toMatch(/^ledger NOT verified after \d+ leaves: /);
        expect(named(run.stdout, t.names), `${t.what}: ${run.stdout}`).toBe(true);
      });
    }, 120_000);
  });
}
