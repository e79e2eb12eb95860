import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerAddress } from '../core/exchange/ports.js';
import { freePort } from '../test-support/server-process.js';
import { tcpProxy } from '../test-support/tcp-proxy.js';
import {
  connectNatsExchange,
  MAX_MESSAGE_BYTES,
  MESSAGE_ID_HEADER,
  natsConsumerNames,
  NatsDeliveryError,
  natsSubjects,
  REPLY_TO_HEADER,
  type NatsExchange,
  type NatsExchangeOptions,
} from './nats-transport.js';

// The tests run against the real nats-server (CI starts it); unreachable means failed, not skipped.
const NATS_URL = process.env.GREENLANE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let admin: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  admin = await connect({ servers: NATS_URL, timeout: 5000 });
  jsm = await jetstreamManager(admin);
});

afterAll(async () => {
  await admin?.close();
});

/** Each test's own stream and subject prefix, deleted after it. */
interface Space {
  stream: string;
  subjectPrefix: string;
}
const spaces: Space[] = [];
const opened: NatsExchange[] = [];

function freshSpace(): Space {
  const tag = randomBytes(6).toString('hex');
  const space = { stream: `GL_TEST_${tag}`, subjectPrefix: `gltest.${tag}.exchange` };
  spaces.push(space);
  return space;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
  for (const { stream } of spaces.splice(0)) {
    await jsm.streams.delete(stream).catch(() => undefined);
  }
});

async function exchange(
  space: Space,
  nodeId: string,
  more: Partial<NatsExchangeOptions> = {},
): Promise<NatsExchange> {
  const x = await connectNatsExchange({
    url: NATS_URL,
    nodeId,
    ...space,
    streamMaxBytes: 256 * 1024 * 1024,
    ...more,
  });
  opened.push(x);
  return x;
}

const address = (nodeId: string): PartnerAddress => ({ nodeId, httpEndpoint: null, nats: true });

/** A compact-JWS-looking string carrying the message id (the handler reads it back). */
function fakeJws(id: string, size = 200): string {
  const body = Buffer.from(JSON.stringify({ id, pad: randomBytes(size).toString('base64') }));
  return `eyJhbGciOiJFZERTQSJ9.${body.toString('base64url')}.c2ln`;
}
function idOf(jws: string): string {
  const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as {
    id: string;
  };
  return payload.id;
}

/** The receiving side's database, simplified: one receipt per message id, repeats answered alike. */
function receiver() {
  const receipts = new Map<string, string>();
  const seen: string[] = [];
  return {
    seen,
    receipts,
    handler: (jws: string): Promise<string> => {
      seen.push(jws);
      const id = idOf(jws);
      let r = receipts.get(id);
      if (!r) receipts.set(id, (r = `receipt.${id}.${randomBytes(8).toString('base64url')}`));
      return Promise.resolve(r);
    },
  };
}

let counter = 0;
const messageId = () => `01J${(Date.now() * 1000 + counter++).toString(36).toUpperCase()}`;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function subjectCounts(stream: string): Promise<Record<string, number>> {
  const info = await jsm.streams.info(stream, { subjects_filter: '>' });
  return info.state.subjects ?? {};
}

describe('NATS JetStream exchange', () => {
  it('names subjects and consumers after the node id', () => {
    expect(natsSubjects('BY/GTK')).toEqual({
      inbox: 'greenlane.exchange.v1.BY.GTK.inbox',
      receipts: 'greenlane.exchange.v1.BY.GTK.receipts',
    });
    expect(natsConsumerNames('KZ/KGD-2')).toEqual({
      inbox: 'KZ_KGD-2_inbox',
      receipts: 'KZ_KGD-2_receipts',
    });
    for (const bad of ['BY/GT.K', 'BY/*', 'BY/>', 'BY.GTK', 'by/gtk', 'BY/GTK ', 'BY/', '']) {
      expect(() => natsSubjects(bad)).toThrow('not a node id');
    }
  });

  it('delivers a message and resolves with the receipt; the handler gets the exact text', async () => {
    const space = freshSpace();
    const b = await exchange(space, 'BB/TWO');
    const a = await exchange(space, 'AA/ONE');
    const r = receiver();
    await b.listen(r.handler);
    const id = messageId();
    const jws = fakeJws(id);
    const receipt = await a.deliver(address('BB/TWO'), id, jws);
    expect(receipt).toBe(r.receipts.get(id));
    expect(r.seen).toEqual([jws]);
    expect(await subjectCounts(space.stream)).toEqual({
      [`${space.subjectPrefix}.BB.TWO.inbox`]: 1,
      [`${space.subjectPrefix}.AA.ONE.receipts`]: 1,
    });
    const consumers = (await jsm.consumers.list(space.stream).next()).map((c) => c.name).sort();
    expect(consumers).toEqual(['AA_ONE_receipts', 'BB_TWO_inbox', 'BB_TWO_receipts']);
    const stream = await jsm.streams.info(space.stream);
    expect(stream.config).toMatchObject({
      subjects: [`${space.subjectPrefix}.>`],
      storage: 'file',
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
    });
  });

  it('answers the same message id published 1,000 times, raw and through deliver', async () => {
    const space = freshSpace();
    const late: string[] = [];
    const b = await exchange(space, 'BB/TWO');
    const a = await exchange(space, 'AA/ONE', {
      onLateReceipt: (id) => {
        late.push(id);
        return Promise.resolve();
      },
    });
    const r = receiver();
    await b.listen(r.handler);
    const id = messageId();
    const jws = fakeJws(id);

    // deliver: JetStream keeps one copy (msgID), every waiting deliver gets the one receipt.
    const viaDeliver = await Promise.all(
      Array.from({ length: 1000 }, () => a.deliver(address('BB/TWO'), id, jws)),
    );
    const receipt = r.receipts.get(id);
    expect(new Set(viaDeliver)).toEqual(new Set([receipt]));

    // raw: no msgID, so 1,000 more copies in the inbox; each is answered with the stored receipt.
    const raw = await connect({ servers: NATS_URL });
    const h = headers();
    h.set(REPLY_TO_HEADER, a.subjects.receipts);
    h.set(MESSAGE_ID_HEADER, id);
    for (let i = 0; i < 1000; i++) raw.publish(b.subjects.inbox, jws, { headers: h });
    await raw.flush();
    await raw.close();
    await until(async () => {
      const c = await jsm.consumers.info(space.stream, 'BB_TWO_inbox');
      return r.seen.length >= 1001 && c.num_pending === 0 && c.num_ack_pending === 0;
    });
    console.log(`handler calls for one message id: ${r.seen.length} (1 delivered, 1000 repeats)`);
    expect(r.seen.length).toBeGreaterThanOrEqual(1001);
    expect(new Set(r.seen)).toEqual(new Set([jws]));
    expect(r.receipts.size).toBe(1);
    expect((await subjectCounts(space.stream))[b.subjects.inbox]).toBe(1001);
    // Every answer is published (no msgID on receipts): the repeats' receipts find no deliver
    // waiting and go to onLateReceipt, which the node ignores for a message already settled.
    await until(() => Promise.resolve(late.length >= 1000));
    expect((await subjectCounts(space.stream))[a.subjects.receipts]).toBe(1001);
    expect(new Set(late)).toEqual(new Set([id]));
  });

  it('redelivers a message whose handler failed, then answers it', async () => {
    const space = freshSpace();
    const errors: unknown[] = [];
    const b = await exchange(space, 'BB/TWO', {
      retryDelayMs: 200,
      onError: (e) => errors.push(e),
    });
    const a = await exchange(space, 'AA/ONE');
    const r = receiver();
    let calls = 0;
    await b.listen((jws) => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('database unavailable'));
      return r.handler(jws);
    });
    const id = messageId();
    const started = Date.now();
    const receipt = await a.deliver(address('BB/TWO'), id, fakeJws(id));
    expect(receipt).toBe(r.receipts.get(id));
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(errors.map(String)).toEqual([
      `Error: inbox message ${id} (#1) not answered, retried later`,
    ]);
    expect((errors[0] as Error).cause).toEqual(new Error('database unavailable'));
  });

  it('times out while the receiver is down; the late receipt reaches onLateReceipt', async () => {
    const space = freshSpace();
    const late: [string, string][] = [];
    const a = await exchange(space, 'AA/ONE', {
      receiptTimeoutMs: 500,
      onLateReceipt: (id, receipt) => {
        late.push([id, receipt]);
        return Promise.resolve();
      },
    });
    const id = messageId();
    const started = Date.now();
    const failure = await a.deliver(address('BB/TWO'), id, fakeJws(id)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NatsDeliveryError);
    expect(failure).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);

    const b = await exchange(space, 'BB/TWO');
    const r = receiver();
    await b.listen(r.handler);
    await until(() => late.length > 0);
    expect(late).toEqual([[id, r.receipts.get(id)]]);
    expect(r.seen).toHaveLength(1);
  });

  it('refuses node ids with dots or wildcards, bad message ids and oversized messages before publishing', async () => {
    const space = freshSpace();
    const a = await exchange(space, 'AA/ONE', { receiptTimeoutMs: 1000 });
    const id = messageId();
    for (const nodeId of [
      'BB/TW.O',
      'BB/*',
      'BB/>',
      'BB/TWO.inbox',
      'BB/TWO.>',
      '*/TWO',
      'BB.TWO',
    ]) {
      await expect(a.deliver(address(nodeId), id, fakeJws(id))).rejects.toMatchObject({
        reason: 'invalid',
        message: `not a node id: ${JSON.stringify(nodeId)}`,
      });
    }
    for (const bad of ['a.b', 'x*', '>', '', 'id with space']) {
      await expect(a.deliver(address('BB/TWO'), bad, fakeJws(id))).rejects.toMatchObject({
        reason: 'invalid',
      });
    }
    await expect(
      a.deliver({ nodeId: 'BB/TWO', httpEndpoint: 'https://b.example', nats: false }, id, 'x.y.z'),
    ).rejects.toMatchObject({ reason: 'invalid' });
    await expect(
      a.deliver(address('BB/TWO'), id, 'x'.repeat(MAX_MESSAGE_BYTES + 1)),
    ).rejects.toMatchObject({ reason: 'invalid' });
    expect((await jsm.streams.info(space.stream)).state.messages).toBe(0);

    await expect(connectNatsExchange({ url: NATS_URL, nodeId: 'AA/*', ...space })).rejects.toThrow(
      'not a node id',
    );
    await expect(
      connectNatsExchange({ url: NATS_URL, nodeId: 'AA/ONE', ...space, subjectPrefix: 'a.*' }),
    ).rejects.toThrow('subjectPrefix');
    await expect(
      connectNatsExchange({ url: 'http://127.0.0.1:4222', nodeId: 'AA/ONE', ...space }),
    ).rejects.toThrow('nats:// or tls://');
  });

  it('rejects at once when no server answers the first connection', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(
      connectNatsExchange({ url: `nats://127.0.0.1:${port}`, nodeId: 'AA/ONE', ...freshSpace() }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('drops (terms) inbox messages without a valid message id or reply subject', async () => {
    const space = freshSpace();
    const errors: string[] = [];
    const b = await exchange(space, 'BB/TWO', { onError: (e) => errors.push(String(e)) });
    const a = await exchange(space, 'AA/ONE');
    const r = receiver();
    await b.listen(r.handler);
    const raw = await connect({ servers: NATS_URL });
    const id = messageId();
    const cases: [string, string][] = [
      ['', ''],
      [id, ''],
      ['', a.subjects.receipts],
      [id, `${space.subjectPrefix}.AA.ONE.inbox`], // someone's inbox, not a receipts subject
      [id, `elsewhere.AA.ONE.receipts`],
      [id, `${space.subjectPrefix}.AA.*.receipts`],
    ];
    for (const [mid, replyTo] of cases) {
      const h = headers();
      if (mid) h.set(MESSAGE_ID_HEADER, mid);
      if (replyTo) h.set(REPLY_TO_HEADER, replyTo);
      raw.publish(b.subjects.inbox, fakeJws(id), { headers: h });
    }
    await raw.flush();
    await raw.close();
    const ok = messageId();
    expect(await a.deliver(address('BB/TWO'), ok, fakeJws(ok))).toBe(r.receipts.get(ok));
    await until(() => errors.length >= cases.length);
    expect(errors).toHaveLength(cases.length);
    for (const e of errors) expect(e).toMatch(/^Error: dropped inbox message #\d+ on /);
    expect(r.seen.map(idOf)).toEqual([ok]);
    await until(async () => {
      const c = await jsm.consumers.info(space.stream, 'BB_TWO_inbox');
      return c.num_ack_pending === 0 && c.num_pending === 0;
    });
    expect((await jsm.consumers.info(space.stream, 'BB_TWO_inbox')).num_redelivered).toBe(0);
  });

  it('brings an existing stream to its settings, and refuses one it cannot change', async () => {
    const space = freshSpace();
    const other = `${space.subjectPrefix}-other.>`;
    await jsm.streams.add({
      name: space.stream,
      subjects: [other],
      max_age: 3600 * 1e9,
      duplicate_window: 10 * 1e9,
    });
    await exchange(space, 'AA/ONE');
    expect((await jsm.streams.info(space.stream)).config).toMatchObject({
      subjects: [other, `${space.subjectPrefix}.>`],
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
      max_bytes: 256 * 1024 * 1024,
    });

    const memory = freshSpace();
    await jsm.streams.add({
      name: memory.stream,
      subjects: [`${memory.subjectPrefix}.>`],
      storage: 'memory',
    });
    await expect(exchange(memory, 'AA/ONE')).rejects.toThrow('needs file storage');
  });

  it('opens its consumer again when it is deleted under it', async () => {
    const space = freshSpace();
    const errors: string[] = [];
    const b = await exchange(space, 'BB/TWO', { onError: (e) => errors.push(String(e)) });
    const a = await exchange(space, 'AA/ONE');
    const r = receiver();
    await b.listen(r.handler);
    const first = messageId();
    await a.deliver(address('BB/TWO'), first, fakeJws(first));
    await jsm.consumers.delete(space.stream, 'BB_TWO_inbox');
    await until(() => errors.some((e) => e.includes('BB_TWO_inbox')));
    const second = messageId();
    let receipt: string | undefined;
    await until(async () => {
      receipt = await a.deliver(address('BB/TWO'), second, fakeJws(second)).catch(() => undefined);
      return receipt !== undefined;
    });
    expect(receipt).toBe(r.receipts.get(second));
    // The new consumer starts at the beginning of the stream: the first message comes again.
    await until(() => r.seen.length >= 3);
    expect(r.seen.map(idOf)).toEqual([first, first, second]);
  });

  it('keeps going across a connection drop (reconnects, errors reported)', async () => {
    const space = freshSpace();
    const target = new URL(NATS_URL);
    const proxy = await tcpProxy(
      { host: target.hostname, port: Number(target.port || 4222) },
      await freePort(),
    );
    await proxy.up();
    try {
      const errors: string[] = [];
      const late: string[] = [];
      const a = await exchange(space, 'AA/ONE', {
        url: `nats://127.0.0.1:${proxy.port}`,
        receiptTimeoutMs: 1000,
        onError: (e) => errors.push(String(e)),
        onLateReceipt: (id) => {
          late.push(id);
          return Promise.resolve();
        },
      });
      const b = await exchange(space, 'BB/TWO');
      const r = receiver();
      await b.listen(r.handler);
      const first = messageId();
      await a.deliver(address('BB/TWO'), first, fakeJws(first));

      await proxy.down();
      await until(() => errors.some((e) => e.includes('disconnected')));
      const during = messageId();
      await expect(a.deliver(address('BB/TWO'), during, fakeJws(during))).rejects.toMatchObject({
        reason: expect.stringMatching(/^(publish|timeout)$/) as unknown,
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await proxy.up();

      const after = messageId();
      let receipt: string | undefined;
      await until(async () => {
        receipt = await a.deliver(address('BB/TWO'), after, fakeJws(after)).catch(() => undefined);
        return receipt !== undefined;
      }, 30_000);
      expect(receipt).toBe(r.receipts.get(after));
      console.log(`errors reported during the outage: ${JSON.stringify(errors)}`);
      // The publish made during the outage may have been flushed on reconnecting: then its
      // receipt came late.
      if (r.receipts.has(during)) await until(() => late.includes(during));
    } finally {
      await proxy.close();
    }
  });

  it('delivers 2,000 messages, 64 at a time, all with receipts (throughput smoke)', async () => {
    const space = freshSpace();
    const errors: unknown[] = [];
    const b = await exchange(space, 'BB/TWO', { onError: (e) => errors.push(e) });
    const a = await exchange(space, 'AA/ONE', { onError: (e) => errors.push(e) });
    const r = receiver();
    await b.listen(r.handler);
    const ids = Array.from({ length: 2000 }, () => messageId());
    const receipts = new Map<string, string>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          receipts.set(id, await a.deliver(address('BB/TWO'), id, fakeJws(id, 600)));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `NATS exchange: 2000 delivers with receipts, 64 concurrent, in ${seconds.toFixed(2)} s = ${Math.round(2000 / seconds)} msg/s`,
    );
    expect(receipts.size).toBe(2000);
    for (const id of ids) expect(receipts.get(id)).toBe(r.receipts.get(id));
    expect(errors).toEqual([]);
  });

  it('close() leaves nothing that keeps the process alive', async () => {
    const space = freshSpace();
    const module = pathToFileURL(path.join(ROOT, 'src', 'exchange', 'nats-transport.ts')).href;
    const script = `
      const { connectNatsExchange } = await import(${JSON.stringify(module)});
      const o = { url: ${JSON.stringify(NATS_URL)}, stream: ${JSON.stringify(space.stream)},
        subjectPrefix: ${JSON.stringify(space.subjectPrefix)}, streamMaxBytes: 64 * 1024 * 1024 };
      const b = await connectNatsExchange({ ...o, nodeId: 'BB/TWO' });
      const a = await connectNatsExchange({ ...o, nodeId: 'AA/ONE', receiptTimeoutMs: 60000 });
      await b.listen(async (jws) => 'receipt-for-' + jws);
      const to = { nodeId: 'BB/TWO', httpEndpoint: null, nats: true };
      console.log(await a.deliver(to, 'M1', 'a.b.c'));
      const pending = a.deliver({ ...to, nodeId: 'CC/NONE' }, 'M2', 'd.e.f').catch((e) => e.reason);
      await new Promise((resolve) => setTimeout(resolve, 300)); // published, waiting for a receipt
      await Promise.all([a.close(), b.close()]);
      console.log(await pending);
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 20 s');
      }, 20_000);
      child.once('exit', (c, signal) => {
        clearTimeout(timer);
        resolve(c ?? signal ?? -1);
      });
    });
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'receipt-for-a.b.c\nclosed' });
  });
});
