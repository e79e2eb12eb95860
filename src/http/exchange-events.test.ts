import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../app/exchange.js';
import {
  connectNodes,
  eventually,
  startNode,
  type TestNode,
} from '../test-support/exchange-nodes.js';

interface Heard {
  event: string;
  data: { kind: string; messageId?: string; type?: string | null; conversation?: string | null };
}

/** Reads GET /api/events of a node as a user, collecting every event it announces. */
function listen(node: TestNode, token: string): { heard: Heard[]; close: () => void } {
  const heard: Heard[] = [];
  const controller = new AbortController();
  void (async () => {
    try {
      const r = await fetch(`${node.url}/api/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const e of events) {
          const lines = e.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event && data) heard.push({ event, data: JSON.parse(data) as Heard['data'] });
        }
      }
    } catch {
      // closed
    }
  })();
  return { heard, close: () => controller.abort() };
}

describe('live exchange events (GET /api/events)', () => {
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    a = await startNode('sqlite', 'BY/GTK', { binding: 'http' });
    b = await startNode('sqlite', 'KZ/KGD', { binding: 'http' });
    await connectNodes([a, b], { binding: 'http' });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('tell those who read the exchange that a message was sent, delivered and received', async () => {
    const senderSide = listen(a, a.tokens.liaison);
    const officer = listen(a, a.tokens.officer);
    const receiverSide = listen(b, b.tokens.analyst);
    try {
      await eventually(
        'the streams open',
        async () => a.ctx.feed.size >= 2 && b.ctx.feed.size >= 1,
      );
      const [m] = await sendMessage(a.ctx, a.users.liaison, {
        to: ['KZ/KGD'],
        type: 'alert',
        sharing: 'shareable',
        body: {
          priorityArea: 'e-waste',
          summary: 'Spent batteries declared as new',
          details: 'Two containers of used lead-acid batteries.',
          goods: [],
          routes: [],
          conveyances: [],
        },
      });
      await eventually('the delivery event', async () =>
        senderSide.heard.some((h) => h.data.kind === 'exchange.delivered'),
      );
      expect(senderSide.heard.map((h) => [h.event, h.data])).toEqual([
        [
          'exchange',
          expect.objectContaining({
            kind: 'exchange.sent',
            messageId: m!.id,
            type: 'alert',
            conversation: m!.conversation,
          }),
        ],
        [
          'exchange',
          expect.objectContaining({ kind: 'exchange.delivered', messageId: m!.id, type: 'alert' }),
        ],
      ]);
      await eventually('the receipt event', async () =>
        receiverSide.heard.some((h) => h.data.kind === 'exchange.received'),
      );
      expect(receiverSide.heard[0]!.data).toMatchObject({
        kind: 'exchange.received',
        messageId: m!.id,
        type: 'alert',
      });
      // A border officer does not read the exchange: nothing of it on their stream.
      expect(officer.heard).toEqual([]);
    } finally {
      senderSide.close();
      officer.close();
      receiverSide.close();
    }
  }, 30_000);
});
