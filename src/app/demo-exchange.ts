import type { StoredMessage } from '../core/exchange/agreements.js';
import type { LiaisonContact, MessageType } from '../core/exchange/messages.js';
import { DEMO_PARTNER_INDICATORS } from './bootstrap.js';
import { principalOfUser } from './authenticate.js';
import type { AppContext } from './context.js';
import { exchangeOf, sendMessage } from './exchange.js';
import {
  publishDirectory,
  putOwnContact,
  recordAgreement,
  registerPartner,
  shareRiskInformation,
} from './exchange-directory.js';

/** One of the two demo administrations, with its exchange node started. */
export interface DemoNode {
  ctx: AppContext;
  /** The base URL its partner reaches it at. */
  url: string;
  /** True when the node also takes messages over NATS. */
  nats: boolean;
}

/** The agreements the demo administrations have with each other, recorded both ways. */
export const DEMO_AGREEMENTS = [
  {
    title:
      'Agreement between the Governments of the SCO member states on cooperation and mutual assistance in customs matters (2007)',
    legalBasis: 'SCO-CUSTOMS-2007',
    messageTypes: [
      'alert',
      'assistance.request',
      'assistance.status',
      'assistance.reply',
      'seizure.report',
      'risk.share',
      // Each administration witnesses the other's ledger (checkpoints and cosignatures).
      'ledger.checkpoint',
      'ledger.cosignature',
    ] satisfies MessageType[],
    nominal: false,
    validFrom: '2007-11-02T00:00:00Z',
  },
  {
    title: 'SCO Memorandum on cooperation in the protection of intellectual property rights (2012)',
    legalBasis: 'SCO-IPR-2012',
    messageTypes: ['alert', 'seizure.report'] satisfies MessageType[],
    nominal: true,
    validFrom: '2012-06-07T00:00:00Z',
  },
];

/** The liaison officers each demo node publishes in its directory entry. */
export const DEMO_CONTACTS: Record<string, LiaisonContact[]> = {
  'BY/GTK': [
    {
      id: 'by-liaison-1',
      agency: 'State Customs Committee of Belarus, international cooperation (demo)',
      name: 'Olga Link',
      function: 'Liaison officer, environmental crime',
      languages: ['be', 'ru', 'en'],
      priorityAreas: ['e-waste', 'waste-and-scrap-metal', 'plastic-waste'],
      channels: [
        { kind: 'exchange', value: 'BY/GTK' },
        { kind: 'email', value: 'liaison@customs-by.example' },
        { kind: 'phone', value: '+375 17 000 00 01' },
      ],
      availability: 'Mon-Fri 08:30-17:30 (UTC+3)',
      deputyId: 'by-liaison-2',
    },
    {
      id: 'by-liaison-2',
      agency: 'State Customs Committee of Belarus, risk analysis centre (demo)',
      name: 'Andrei Kovalenko',
      function: 'Deputy liaison officer, CITES and counterfeits',
      languages: ['ru', 'en'],
      priorityAreas: ['endangered-species', 'intellectual-property', 'general-smuggling'],
      channels: [
        { kind: 'exchange', value: 'BY/GTK' },
        { kind: 'email', value: 'risk-centre@customs-by.example' },
      ],
      availability: 'Mon-Fri 09:00-18:00 (UTC+3)',
    },
  ],
  'KZ/KGD': [
    {
      id: 'kz-liaison-1',
      agency: 'State Revenue Committee of Kazakhstan, customs control (demo)',
      name: 'Asel Nurpeisova',
      function: 'Liaison officer, international customs cooperation',
      languages: ['kk', 'ru', 'en'],
      priorityAreas: ['endangered-species', 'e-waste', 'general-smuggling'],
      channels: [
        { kind: 'exchange', value: 'KZ/KGD' },
        { kind: 'email', value: 'liaison@kgd-kz.example' },
        { kind: 'phone', value: '+7 7172 00 00 01' },
      ],
      availability: 'Mon-Fri 09:00-18:00 (UTC+5)',
      deputyId: 'kz-liaison-2',
    },
    {
      id: 'kz-liaison-2',
      agency: 'State Revenue Committee of Kazakhstan, risk management centre (demo)',
      name: 'Marat Ismailov',
      function: 'Duty officer, risk management centre',
      languages: ['kk', 'ru'],
      priorityAreas: ['waste-and-scrap-metal', 'energy', 'agricultural-chemicals'],
      channels: [
        { kind: 'exchange', value: 'KZ/KGD' },
        { kind: 'phone', value: '+7 7172 00 00 02' },
      ],
      availability: '24/7 duty desk',
    },
  ],
};

const DAY = 86_400_000;

/**
 * Links the two demo administrations as their administrators and liaison officers would, and
 * has them exchange a few messages through the real path (signed, queued, delivered by the
 * running senders, receipted). Each step happens once: a step whose result is there (the partner
 * with its current keys and address, agreements, contacts, a message of its kind) is skipped, so
 * a restart adds nothing and an interrupted first start is completed at the next. Waits (up to
 * `timeoutMs`) only where a step answers a message, for that message to arrive. Returns the
 * messages it sent.
 */
export async function seedDemoExchange(
  main: DemoNode,
  partner: DemoNode,
  options: { timeoutMs?: number } = {},
): Promise<StoredMessage[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sent: StoredMessage[] = [];
  for (const [a, b] of [
    [main, partner],
    [partner, main],
  ] as const) {
    await linkPartner(a, b);
  }
  for (const node of [main, partner]) await publishContacts(node);

  const by = exchangeOf(main.ctx).nodeId;
  const kz = exchangeOf(partner.ctx).nodeId;
  const liaison = {
    main: await principalOfUser(main.ctx, 'liaison'),
    partner: await principalOfUser(partner.ctx, 'liaison'),
  };
  const now = main.ctx.clock.now();

  if (!(await firstOut(main.ctx, 'alert')))
    sent.push(
      ...(await sendMessage(main.ctx, liaison.main, {
        to: [kz],
        type: 'alert',
        sharing: 'shareable',
        body: {
          priorityArea: 'e-waste',
          summary: 'Waste lead-acid batteries declared as ferrous scrap, by rail towards Almaty',
          details:
            'Two consignments of "ferrous scrap" (HS 7204) inspected at Brest held waste lead-acid ' +
            'batteries under a top layer of scrap. Further wagons of the same consignor are on their ' +
            'way to Kazakhstan: please check consignments of scrap with batteries in the description ' +
            'or a weight per wagon far above scrap.',
          goods: [
            { hsCode: '720449', description: 'ferrous waste and scrap (as declared)' },
            { hsCode: '854810', description: 'waste lead-acid batteries (found)' },
          ],
          routes: [{ from: 'PLMAL', to: 'KZALA', via: ['BYBRE'], mode: 'rail' }],
          conveyances: [{ mode: 'rail', identifier: 'wagons 5551234, 5551235' }],
          validUntil: new Date(now.getTime() + 30 * DAY).toISOString(),
        },
      })),
    );

  let request = await firstOut(partner.ctx, 'assistance.request');
  if (!request) {
    [request] = await sendMessage(partner.ctx, liaison.partner, {
      to: [by],
      type: 'assistance.request',
      sharing: 'shareable',
      body: {
        subject: 'Refrigerant cylinders routed via Brest: consignor and earlier shipments',
        priorityArea: 'general-smuggling',
        questions: [
          'Did the container below enter the Eurasian customs union at Brest, and under which declaration?',
          'Which goods did the same consignor declare at Brest in the last 12 months?',
        ],
        references: [{ type: 'container', value: 'MSKU1234565' }],
        deadline: new Date(now.getTime() + 10 * DAY).toISOString(),
      },
    });
    sent.push(request!);
  }
  if (!(await firstOut(main.ctx, 'assistance.status'))) {
    // The request must have arrived before it can be acknowledged.
    const at = await waitFor(
      `the request for assistance ${request!.id} to arrive at ${by}`,
      () => main.ctx.storage.read.exchange.findMessage('in', kz, request!.id),
      timeoutMs,
    );
    sent.push(
      ...(await sendMessage(main.ctx, liaison.main, {
        to: [kz],
        type: 'assistance.status',
        sharing: 'shareable',
        refTo: at.id,
        body: {
          status: 'acknowledged',
          note: 'Received; the risk analysis centre in Brest is checking the container and the consignor.',
        },
      })),
    );
  }

  if (!(await firstOut(partner.ctx, 'seizure.report')))
    sent.push(
      ...(await sendMessage(partner.ctx, liaison.partner, {
        to: [by],
        type: 'seizure.report',
        sharing: 'shareable',
        body: {
          seizedOn: new Date(now.getTime() - 2 * DAY).toISOString().slice(0, 10),
          place: { country: 'KZ', locode: 'KZALA', description: 'Almaty airport, departures' },
          priorityArea: 'endangered-species',
          hsCode: '050790',
          description: 'Saiga antelope horns in checked baggage of a passenger bound for Minsk',
          species: 'Saiga tatarica',
          quantity: { value: 46, unit: 'pcs' },
          concealment: 'Wrapped in clothing in two suitcases',
          route: [{ from: 'KZALA', to: 'BYMSQ', mode: 'air' }],
          detectionMethod: 'scanning',
        },
      })),
    );

  if (!(await firstOut(partner.ctx, 'risk.share')))
    sent.push(
      ...(await shareRiskInformation(partner.ctx, await principalOfUser(partner.ctx, 'analyst'), {
        to: [by],
        indicatorIds: DEMO_PARTNER_INDICATORS.indicators.map((i) => i.key),
        note: 'Indicators from our saiga horn and battery cases: adopt them as drafts.',
      })),
    );
  return sent;
}

/** `a` registers `b` (its current keys and address) and the agreements, unless it has them. */
async function linkPartner(a: DemoNode, b: DemoNode): Promise<void> {
  const admin = await principalOfUser(a.ctx, 'admin');
  const other = exchangeOf(b.ctx);
  const keys = other.signer.publicKeys();
  const read = a.ctx.storage.read.exchange;
  const known = await read.findPartner(other.nodeId);
  const trusted = new Set((await read.keysOf(other.nodeId)).map((k) => k.kid));
  if (
    !known ||
    known.httpEndpoint !== b.url ||
    known.nats !== b.nats ||
    keys.some((k) => !trusted.has(k.kid))
  )
    // As if the administrator had confirmed the partner's key thumbprints by phone.
    await registerPartner(a.ctx, admin, {
      id: other.nodeId,
      name: other.name,
      httpEndpoint: b.url,
      nats: b.nats,
      keys,
    });
  if ((await read.agreements(other.nodeId)).length === 0)
    for (const agreement of DEMO_AGREEMENTS)
      await recordAgreement(a.ctx, admin, { ...agreement, partnerId: other.nodeId });
}

/** The node's liaison officers, published to its partners, unless it has published already. */
async function publishContacts(node: DemoNode): Promise<void> {
  if (await firstOut(node.ctx, 'directory.update')) return;
  const rt = exchangeOf(node.ctx);
  const liaison = await principalOfUser(node.ctx, 'liaison');
  const own = await node.ctx.storage.read.exchange.contacts({ nodeId: rt.nodeId });
  if (own.length === 0)
    for (const contact of DEMO_CONTACTS[rt.nodeId] ?? []) {
      await putOwnContact(node.ctx, liaison, contact);
    }
  await publishDirectory(node.ctx, liaison);
}

async function firstOut(ctx: AppContext, type: MessageType): Promise<StoredMessage | undefined> {
  return (await ctx.storage.read.exchange.listMessages({ direction: 'out', type, limit: 1 }))[0];
}

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
