import type { Partner, StoredMessage } from '../core/exchange/agreements.js';
import type { AppContext } from './context.js';
import { Rounds } from './rounds.js';
import { exchangeOf, transportFor, verifyReceipt, type ExchangeRuntime } from './exchange.js';

export interface SenderOptions {
  /** How often queued messages are looked at when nothing wakes the sender. */
  pollMs: number;
  /** Messages in flight per partner (each its own conversation). */
  concurrency: number;
  /** Longest wait between attempts to reach a partner that is down. */
  maxBackoffMs: number;
  onError?: (error: unknown) => void;
}

const DEFAULTS: SenderOptions = { pollMs: 1000, concurrency: 64, maxBackoffMs: 5 * 60_000 };

/**
 * Delivers queued messages to partners until a receipt comes. The queue is the table of messages
 * (written with the change that composed them); the `exchange.sent` event of each message, read
 * from the outbox by every process's feed, wakes the sender (`kick`), and a timer retries. Per partner, one process at a time sends (`Storage.exclusive`), in
 * order within a conversation (the next message of a thread waits for the receipt of the one
 * before), conversations in parallel; a partner that is down is tried again with growing back-off
 * and gets everything when it returns. A crash after the commit and before the send only delays:
 * the message is still queued and goes after the restart; the receiver deduplicates repeats.
 */
export class ExchangeSender {
  private readonly options: SenderOptions;
  private readonly rounds: Rounds;
  /** Partners not to try before this time (ms), after a failed attempt. */
  private readonly backoff = new Map<string, { until: number; failures: number }>();

  constructor(
    private readonly ctx: AppContext,
    options: Partial<SenderOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.rounds = new Rounds(() => this.round(), this.options);
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** Runs a round now (or right after the one in progress). */
  kick(): void {
    this.rounds.kick();
  }

  /** One round over every partner with queued messages; the number of messages settled. */
  async round(): Promise<number> {
    const rt = exchangeOf(this.ctx);
    const partners = await this.ctx.storage.read.exchange.partnersWithQueue();
    const settled = await Promise.all(
      partners.map(async (id) => {
        const b = this.backoff.get(id);
        if (b && b.until > Date.now()) return 0;
        const held = await this.ctx.storage.exclusive(`exchange-send:${id}`, () =>
          this.sendTo(rt, id),
        );
        return held?.value ?? 0;
      }),
    );
    return settled.reduce((a, b) => a + b, 0);
  }

  private async sendTo(rt: ExchangeRuntime, partnerId: string): Promise<number> {
    const partner = await this.ctx.storage.read.exchange.findPartner(partnerId);
    if (!partner || partner.status !== 'active') return 0;
    let settled = 0;
    for (;;) {
      if (this.rounds.stopped) return settled;
      const now = this.ctx.clock.now().toISOString();
      const due = await this.ctx.storage.read.exchange.dueForDelivery(
        partnerId,
        now,
        this.options.concurrency,
      );
      if (due.length === 0) return settled;
      const results = await Promise.all(due.map((m) => this.deliverOne(rt, partner, m)));
      settled += results.filter((ok) => ok).length;
      if (results.some((ok) => !ok)) {
        const failures = (this.backoff.get(partnerId)?.failures ?? 0) + 1;
        this.backoff.set(partnerId, { until: Date.now() + this.delay(failures), failures });
        return settled;
      }
      this.backoff.delete(partnerId);
    }
  }

  private delay(failures: number): number {
    const base = Math.min(this.options.maxBackoffMs, 500 * 2 ** Math.min(failures, 20));
    return base / 2 + Math.random() * (base / 2);
  }

  /** True when the message is settled (delivered, refused or expired). */
  private async deliverOne(
    rt: ExchangeRuntime,
    partner: Partner,
    m: StoredMessage,
  ): Promise<boolean> {
    const now = this.ctx.clock.now();
    if (m.expiresAt <= now.toISOString()) {
      await this.ctx.storage.write(async (tx) => {
        const moved = await tx.exchange.updateDelivery(m.id, {
          ...delivery(m),
          delivery: 'expired',
        });
        if (moved) await audit(tx, m, 'exchange.expired', now.toISOString(), {});
      });
      return true;
    }
    const route = transportFor(rt, partner);
    try {
      if (!route) throw new Error(`no transport reaches ${partner.id}`);
      const receipt = await route.transport.deliver(route.address, m.id, m.jws);
      await settle(this.ctx, rt, m, receipt, route.transport.binding);
      return true;
    } catch (error) {
      const attempts = m.attempts + 1;
      await this.ctx.storage.write((tx) =>
        tx.exchange.updateDelivery(m.id, {
          ...delivery(m),
          attempts,
          nextAttemptAt: new Date(now.getTime() + this.delay(attempts)).toISOString(),
          lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
          binding: route?.transport.binding ?? null,
        }),
      );
      return false;
    }
  }
}

function delivery(m: StoredMessage) {
  return {
    delivery: m.delivery,
    attempts: m.attempts,
    nextAttemptAt: m.nextAttemptAt,
    lastError: m.lastError,
    binding: m.binding,
    deliveredAt: m.deliveredAt,
    receipt: m.receipt,
    receiptReason: m.receiptReason,
  };
}

async function audit(
  tx: Parameters<Parameters<AppContext['storage']['write']>[0]>[0],
  m: StoredMessage,
  action: 'exchange.delivered' | 'exchange.refused' | 'exchange.expired',
  at: string,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.audit.append({
    at,
    agencyId: m.agencyId,
    actorId: null,
    action,
    subjectType: 'exchange-message',
    subjectId: m.id,
    details: { to: m.to, type: m.type, conversation: m.conversation, ...details },
  });
}

/**
 * Records a partner's receipt for a queued message: delivered or refused (with the reason), in
 * one transaction with its event. A receipt that does not verify changes nothing (and throws).
 */
export async function settle(
  ctx: AppContext,
  rt: ExchangeRuntime,
  m: StoredMessage,
  receiptJws: string,
  binding: 'http' | 'nats',
): Promise<boolean> {
  const receipt = await verifyReceipt(rt, ctx.storage.read, m, receiptJws);
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const accepted = receipt.status === 'accepted';
    const moved = await tx.exchange.updateDelivery(m.id, {
      delivery: accepted ? 'delivered' : 'refused',
      attempts: m.attempts + 1,
      nextAttemptAt: null,
      lastError: null,
      binding,
      deliveredAt: receipt.receivedAt,
      receipt: receiptJws,
      receiptReason: receipt.reason,
    });
    if (!moved) return false;
    if (accepted && m.type === 'assistance.request') {
      const current = await tx.exchange.findMessage('out', m.from, m.id);
      if (current?.caseStatus === 'sent')
        await tx.exchange.setCase('out', m.from, m.id, { caseStatus: 'received' });
    }
    await audit(tx, m, accepted ? 'exchange.delivered' : 'exchange.refused', at, {
      binding,
      ...(accepted ? {} : { reason: receipt.reason }),
    });
    return true;
  });
}

/** A receipt that came after the sender stopped waiting (NATS): settles the message all the same. */
export async function acceptLateReceipt(
  ctx: AppContext,
  messageId: string,
  receiptJws: string,
): Promise<boolean> {
  const rt = exchangeOf(ctx);
  const m = await ctx.storage.read.exchange.findMessage('out', rt.nodeId, messageId);
  if (!m || m.delivery !== 'queued') return false;
  return settle(ctx, rt, m, receiptJws, 'nats');
}
