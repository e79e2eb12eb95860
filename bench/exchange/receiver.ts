/**
 * The receiving node of the exchange bench, in its own process (`--receiver-process`): a node of
 * the test harness with its own database, keys and HTTP server, driven by its parent over IPC.
 * Started by run.ts with fork(); the environment carries the PostgreSQL URL of the harness.
 *
 *   argv: <backend> <binding> <node id> [<NATS stream> <NATS subject prefix>]
 *
 * Requests (process.send): { n, op: 'link', peer } | { n, op: 'inbox', ids } | { n, op: 'close' };
 * each is answered { n, ok, value | error }. The first message it sends is
 * { up: { url, keys }, database } (its PostgreSQL database's name, if any).
 */
import { sql } from 'kysely';
import type { PublishedKey } from '../../src/core/exchange/ports.js';
import type { Backend } from '../../src/storage/database.js';
import { startNode, type Binding } from '../../src/test-support/exchange-nodes.js';
import { inboxOf, linkTo, type Peer } from './link.js';

type Request =
  | { n: number; op: 'link'; peer: Peer }
  | { n: number; op: 'inbox'; ids: string[]; from: string }
  | { n: number; op: 'close' };

const [backend, binding, id, stream, subjectPrefix] = process.argv.slice(2) as [
  Backend,
  Binding,
  string,
  string | undefined,
  string | undefined,
];

const node = await startNode(backend, id, {
  binding,
  ...(stream && subjectPrefix ? { nats: { stream, subjectPrefix } } : {}),
});
const send = (m: unknown) => process.send!(m);
let closing: Promise<void> | undefined;
const close = () => (closing ??= node.close());
const keys: PublishedKey[] = node.exchange.runtime.signer.publicKeys();
process.on('message', (m: Request) => {
  void (async () => {
    try {
      let value: unknown;
      if (m.op === 'link') value = await linkTo(node, m.peer, binding);
      else if (m.op === 'inbox') value = await inboxOf(node, m.from, m.ids);
      else {
        await close();
        send({ n: m.n, ok: true, value: null });
        process.disconnect();
        return;
      }
      send({ n: m.n, ok: true, value });
    } catch (error) {
      send({ n: m.n, ok: false, error: String((error as Error).stack ?? error) });
    }
  })();
});
// The parent going away (Ctrl-C, a crash) takes this node with it, database included.
process.on('disconnect', () => {
  void close().finally(() => process.exit(0));
});
// Its PostgreSQL database, so that the parent can count the CPU of its backends.
const database =
  backend === 'postgres'
    ? (await sql<{ d: string }>`select current_database() as d`.execute(node.db.db.kysely)).rows[0]!
        .d
    : undefined;
send({ up: { url: node.url, keys }, database });
