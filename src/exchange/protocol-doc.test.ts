import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../app/authenticate.js';
import { ulidGenerator, type AppContext } from '../app/context.js';
import { recordAgreement, registerPartner } from '../app/exchange-directory.js';
import { receiveMessage } from '../app/exchange-receive.js';
import { settle } from '../app/exchange-sender.js';
import { sendMessage } from '../app/exchange.js';
import { createAdministration, createUser, issueApiToken } from '../app/manage-identity.js';
import type { Principal } from '../core/auth/identity.js';
import { canonicalBytes, isCanonical } from '../core/exchange/canonical-json.js';
import { MESSAGE_TYPES, REFUSAL_REASONS } from '../core/exchange/messages.js';
import type { PublishedKey } from '../core/exchange/ports.js';
import { testContext } from '../test-support/app.js';
import { freshDatabase, type TestDatabase } from '../test-support/databases.js';
import {
  EXAMPLE_INPUT,
  RFC8032_TEST2_KEY,
  RFC8037_KEY,
  fixedSigner,
  generatedParts,
  partsIn,
  protocolExample,
  type ProtocolExample,
} from './protocol-doc.js';
import { jwkThumbprint, jwsVerifier } from './signing.js';

const DOC = new URL('../../docs/exchange-protocol.md', import.meta.url);

/**
 * What a part says, whatever Prettier did to its layout: JSON code blocks as their value, other
 * code blocks byte for byte, table rows as their trimmed cells, prose with spaces collapsed.
 */
function meaning(part: string): string[] {
  const out: string[] = [];
  const pieces = part.split(/^(```[a-z]*\n[\s\S]*?\n```)$/m);
  for (const piece of pieces) {
    const block = /^```([a-z]*)\n([\s\S]*?)\n```$/.exec(piece);
    if (block) {
      out.push(
        block[1] === 'json' ? `json:${JSON.stringify(JSON.parse(block[2]!))}` : `code:${block[2]}`,
      );
      continue;
    }
    const prose: string[] = [];
    for (const line of piece.split('\n')) {
      if (/^\s*\|[\s|:-]+\|\s*$/.test(line)) out.push('table:---');
      else if (line.trim().startsWith('|'))
        out.push(
          `table:${line
            .trim()
            .split(/(?<!\\)\|/)
            .map((c) => c.trim())
            .join('|')}`,
        );
      else prose.push(line);
    }
    const text = prose.join(' ').replace(/\s+/g, ' ').trim();
    if (text !== '') out.push(`prose:${text}`);
  }
  return out;
}

describe('docs/exchange-protocol.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('holds the generated tables and example as the code makes them (npm run docs:exchange)', async () => {
    const inDoc = partsIn(doc);
    const generated = await generatedParts();
    expect(Object.keys(inDoc).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, part] of Object.entries(generated)) {
      expect(meaning(inDoc[name]!), `part ${name}`).toEqual(meaning(part));
    }
  });

  it('documents every message type and every refusal reason', () => {
    for (const type of MESSAGE_TYPES) expect(doc).toContain(`### \`${type}\``);
    for (const reason of [...REFUSAL_REASONS, 'duplicate'])
      expect(doc).toMatch(new RegExp(`^\\| *\`${reason}\` *\\|`, 'm'));
  });
});

describe('the keys of the example', () => {
  it('are the RFC 8037 A.1 and RFC 8032 TEST 2 key pairs', async () => {
    // RFC 8037 A.3: the thumbprint; A.4: the signature of "Example of Ed25519 signing".
    expect(await jwkThumbprint(RFC8037_KEY)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    const a4 = await new CompactSign(new TextEncoder().encode('Example of Ed25519 signing'))
      .setProtectedHeader({ alg: 'EdDSA' })
      .sign(createPrivateKey({ key: { ...RFC8037_KEY }, format: 'jwk' }));
    expect(a4).toBe(
      'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
    );
    for (const key of [RFC8037_KEY, RFC8032_TEST2_KEY]) {
      const derived = createPublicKey(createPrivateKey({ key: { ...key }, format: 'jwk' }));
      expect(derived.export({ format: 'jwk' }).x).toBe(key.x);
    }
  });
});

interface ExampleNode {
  db: TestDatabase;
  ctx: AppContext;
  admin: Principal;
  liaison: Principal;
  /** The id the next `ctx.ids.next()` returns. */
  nextId(id: string): void;
}

const clock: { time: string } = { time: EXAMPLE_INPUT.createdAt };

/** A node with a fixed key and the shared fixed clock, its partner registered as confirmed. */
async function exampleNode(
  nodeId: string,
  jwk: { kty: string; crv: string; x: string; d: string },
  key: PublishedKey,
  partner: { id: string; key: PublishedKey },
): Promise<ExampleNode> {
  const db = await freshDatabase('sqlite');
  const ulids = ulidGenerator();
  let next: string | undefined;
  const ctx: AppContext = {
    ...testContext(db.db),
    clock: { now: () => new Date(clock.time) },
    ids: {
      next: () => {
        const id = next ?? ulids.next();
        next = undefined;
        return id;
      },
    },
  };
  const country = nodeId.slice(0, 2);
  const made = await db.db.write(async (tx) => {
    const { administrationId, customsAgencyId } = await createAdministration(ctx, tx, {
      country,
      name: `${nodeId} (example)`,
      customsAgencyCode: `${country}-C`,
      customsAgencyName: `${country} customs`,
    });
    const token = async (username: string, role: Principal['roles'][number]) => {
      const userId = await createUser(ctx, tx, {
        agencyId: customsAgencyId,
        username,
        displayName: username,
        roles: [role],
        password: null,
      });
      return (await issueApiToken(ctx, tx, { userId, name: 'example' })).token;
    };
    return {
      administrationId,
      customsAgencyId,
      admin: await token('admin', 'admin'),
      liaison: await token('liaison', 'liaison_officer'),
    };
  });
  const signer = fixedSigner(jwk, key);
  ctx.exchange = {
    nodeId,
    name: `${nodeId} (example)`,
    administrationId: made.administrationId,
    customsAgencyId: made.customsAgencyId,
    signer: { sign: (payload) => signer.sign(payload), publicKeys: signer.publicKeys },
    rawSigner: () => {
      throw new Error('the example nodes witness no ledger');
    },
    jws: jwsVerifier,
    kidOf: jwkThumbprint,
    transports: {},
    messageTtlHours: EXAMPLE_INPUT.ttlHours,
    maxClockSkewMs: 5 * 60_000,
  };
  const admin = await authenticate(ctx, made.admin);
  await registerPartner(ctx, admin, {
    id: partner.id,
    name: `${partner.id} (example)`,
    httpEndpoint: null,
    keys: [partner.key],
  });
  await recordAgreement(ctx, admin, {
    partnerId: partner.id,
    title: 'Agreement on cooperation and mutual assistance in customs matters (example)',
    legalBasis: EXAMPLE_INPUT.agreement.legalBasis,
    messageTypes: ['alert'],
    nominal: EXAMPLE_INPUT.agreement.nominal,
    validFrom: EXAMPLE_INPUT.agreement.validFrom,
  });
  return {
    db,
    ctx,
    admin,
    liaison: await authenticate(ctx, made.liaison),
    nextId: (id) => {
      next = id;
    },
  };
}

describe('the worked example, through two real nodes', () => {
  let example: ProtocolExample;
  let by: ExampleNode, kz: ExampleNode;
  beforeAll(async () => {
    example = await protocolExample();
    const x = EXAMPLE_INPUT;
    by = await exampleNode(x.sender, RFC8037_KEY, example.senderKey, {
      id: x.receiver,
      key: example.receiverKey,
    });
    kz = await exampleNode(x.receiver, RFC8032_TEST2_KEY, example.receiverKey, {
      id: x.sender,
      key: example.senderKey,
    });
  });
  afterAll(async () => {
    await Promise.all([by?.db.drop(), kz?.db.drop()]);
  });

  it('sendMessage signs the bytes of the example, KZ accepts them with the receipt of the example, BY takes the receipt', async () => {
    clock.time = EXAMPLE_INPUT.createdAt;
    by.nextId(EXAMPLE_INPUT.messageId);
    const [m] = await sendMessage(by.ctx, by.liaison, {
      to: [EXAMPLE_INPUT.receiver],
      ...EXAMPLE_INPUT.composed,
    });
    expect(m!.jws).toBe(example.jws);
    expect(m!.digest).toBe(example.digest);
    expect(isCanonical(new TextEncoder().encode(example.canonical))).toBe(true);

    clock.time = EXAMPLE_INPUT.receivedAt;
    const outcome = await receiveMessage(kz.ctx, m!.jws);
    expect(outcome).toMatchObject({ status: 'accepted', reason: null });
    expect(outcome.receipt).toBe(example.receiptJws);
    const stored = await kz.ctx.storage.read.exchange.findMessage('in', 'BY/GTK', m!.id);
    expect(stored?.body).toEqual(example.envelope.body);

    expect(await settle(by.ctx, by.ctx.exchange!, m!, outcome.receipt, 'http')).toBe(true);
    const sent = await by.ctx.storage.read.exchange.findMessage('out', 'BY/GTK', m!.id);
    expect(sent).toMatchObject({ delivery: 'delivered', deliveredAt: EXAMPLE_INPUT.receivedAt });
  });

  it('a repeat gets the stored receipt; the same id over other bytes is id-reused', async () => {
    clock.time = '2026-03-02T09:00:00.000Z';
    const again = await receiveMessage(kz.ctx, example.jws);
    expect(again).toMatchObject({ status: 'accepted', reason: 'duplicate' });
    expect(again.receipt).toBe(example.receiptJws);

    const other = { ...example.envelope, body: { ...example.envelope.body, summary: 'Changed' } };
    const signer = fixedSigner(RFC8037_KEY, example.senderKey);
    const reused = await receiveMessage(kz.ctx, await signer.sign(canonicalBytes(other)));
    expect(reused).toMatchObject({ status: 'refused', reason: 'id-reused' });

    const pretty = new TextEncoder().encode(JSON.stringify(example.envelope, null, 2));
    const notCanonical = await receiveMessage(kz.ctx, await signer.sign(pretty));
    expect(notCanonical).toMatchObject({ status: 'refused', reason: 'not-canonical' });
  });
});
