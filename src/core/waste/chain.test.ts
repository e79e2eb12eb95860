import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  quantityFindings,
  signStep,
  stepHash,
  verifyChain,
  type SignedStep,
  type StepSigner,
  type UnsignedStep,
  type WasteQuantity,
} from './chain.js';
import { derivedStep, lineageIssues, nextStep } from './lineage.js';

/** An organisation's Ed25519 key: a signer and its public key for the directory. */
function organisation(id: string): { signer: StepSigner; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
  const key: KeyObject = privateKey;
  return {
    signer: {
      organisationId: id,
      keyId: 'k1',
      sign: (m) => Promise.resolve(new Uint8Array(sign(null, m, key))),
    },
    publicKey: new Uint8Array(raw),
  };
}

const generator = organisation('BY-GEN-1');
const carrier1 = organisation('BY-CARRIER-1');
const carrier2 = organisation('LT-CARRIER-2');
const customs = organisation('BY-CUSTOMS');
const recycler = organisation('LT-RECYCLER-1');
const directory = new Map(
  [generator, carrier1, carrier2, customs, recycler].map((o) => [
    `${o.signer.organisationId}/k1`,
    o.publicKey,
  ]),
);
const actor = (o: { signer: StepSigner }) => ({
  organisationId: o.signer.organisationId,
  keyId: o.signer.keyId,
});
const tonnes = (t: number, estimated = false): WasteQuantity => ({
  milli: Math.round(t * 1000),
  unit: 'TNE',
  estimated,
});

async function append(
  chain: SignedStep[],
  who: { signer: StepSigner },
  step: Omit<UnsignedStep, 'lotId' | 'seq' | 'previous' | 'actor'>,
): Promise<SignedStep[]> {
  const unsigned = nextStep(chain, { ...step, actor: actor(who) });
  return [...chain, await signStep(unsigned, who.signer)];
}

/** Lead-acid batteries from a Belarusian generator to a Lithuanian recycler, two carriers. */
async function batteryChain(received = 20.1): Promise<SignedStep[]> {
  const first: UnsignedStep = {
    lotId: 'LOT-1',
    seq: 1,
    kind: 'generated',
    actor: actor(generator),
    at: '2026-11-02T08:00:00Z',
    quantity: tonnes(20, true),
    previous: null,
    details: {
      wasteCodes: ['A1160', 'Y31'],
      hsCode: '854910',
      consent: 'BY-ENV-WSC-2026-000001',
      shipment: 1,
    },
  };
  let chain = [await signStep(first, generator.signer)];
  chain = await append(chain, carrier1, {
    kind: 'taken-over',
    at: '2026-11-02T09:00:00Z',
    quantity: tonnes(20),
    details: { mode: 'road', vehicle: 'AB 1234-7' },
  });
  chain = await append(chain, customs, {
    kind: 'border-exit',
    at: '2026-11-02T15:00:00Z',
    quantity: null,
    details: { office: 'BY402000', declaration: '01JEXPORT' },
  });
  chain = await append(chain, customs, {
    kind: 'border-entry',
    at: '2026-11-02T16:00:00Z',
    quantity: null,
    details: { office: 'LTVS0000', declaration: 'LT-ENTRY-7' },
  });
  chain = await append(chain, carrier2, {
    kind: 'taken-over',
    at: '2026-11-02T17:00:00Z',
    quantity: tonnes(20),
    details: { mode: 'rail', vehicle: 'wagon 5432' },
  });
  chain = await append(chain, recycler, {
    kind: 'received',
    at: '2026-11-03T09:00:00Z',
    quantity: tonnes(received),
    details: { refusedMilli: 0 },
  });
  return append(chain, recycler, {
    kind: 'treated',
    at: '2026-11-20T09:00:00Z',
    quantity: tonnes(received),
    details: { operation: 'R4', certificate: 'CERT-77' },
  });
}

describe('the chain of custody of a waste lot', () => {
  it('verifies a signed chain from generator to recovery, and its quantities agree', async () => {
    const chain = await batteryChain();
    expect(chain.map((s) => s.kind)).toEqual([
      'generated',
      'taken-over',
      'border-exit',
      'border-entry',
      'taken-over',
      'received',
      'treated',
    ]);
    expect(verifyChain(chain, directory)).toEqual([]);
    expect(quantityFindings(chain)).toEqual([]);
  });

  it('names the step whose stored quantity was changed, and the step after it', async () => {
    const chain = await batteryChain();
    const tampered = chain.map((s) => (s.seq === 5 ? { ...s, quantity: tonnes(12) } : s));
    expect(verifyChain(tampered, directory)).toEqual([
      { seq: 5, problem: 'the signature of LT-CARRIER-2 does not match the step' },
      { seq: 6, problem: 'does not follow step 5 (its hash differs)' },
    ]);
  });

  it('refuses an unknown key, a re-signed step, a reordering and a step after the lot ended', async () => {
    const chain = await batteryChain();
    // Signed again by someone else under the carrier's name: the signature does not match.
    const forged = await signStep(
      { ...chain[1]!, quantity: tonnes(15) },
      { ...carrier2.signer, organisationId: 'BY-CARRIER-1' },
    );
    const issues = verifyChain([chain[0]!, forged, ...chain.slice(2)], directory);
    expect(issues[0]).toEqual({
      seq: 2,
      problem: 'the signature of BY-CARRIER-1 does not match the step',
    });
    expect(verifyChain(chain, new Map())[0]!.problem).toMatch(/a key not in the directory/);
    const swapped = [chain[0]!, chain[2]!, chain[1]!, ...chain.slice(3)];
    expect(verifyChain(swapped, directory).map((i) => i.problem)).toContain(
      'is step 3 in position 2',
    );
    const ended = await append(chain.slice(0, 1), generator, {
      kind: 'split',
      at: '2026-11-02T08:30:00Z',
      quantity: null,
      details: { into: ['LOT-1A', 'LOT-1B'] },
    });
    const after = await append(ended, carrier1, {
      kind: 'taken-over',
      at: '2026-11-02T09:00:00Z',
      quantity: tonnes(20),
      details: {},
    });
    expect(verifyChain(after, directory)).toContainEqual({
      seq: 3,
      problem: 'taken-over cannot follow split',
    });
  });

  it('finds a delivery weighed short and more treated than accepted', async () => {
    const short = await batteryChain(17);
    expect(verifyChain(short, directory)).toEqual([]);
    expect(quantityFindings(short).map((f) => [f.seq, f.kind, f.text])).toEqual([
      [6, 'weighed-off', 'weighed 17,000 kg of 20,000 kg handed over'],
    ]);
    const chain = (await batteryChain()).slice(0, 6);
    const over = await append(chain, recycler, {
      kind: 'treated',
      at: '2026-11-20T09:00:00Z',
      quantity: tonnes(25),
      details: { operation: 'R4' },
    });
    expect(quantityFindings(over).map((f) => f.kind)).toEqual(['over-treated']);
    expect(stepHash(over[6]!)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('lots split and grouped', () => {
  it('conserves quantities through a split and a group, each part traceable to its origin', async () => {
    const a = await batteryChain();
    const received = a.slice(0, 6);
    // The recycler splits the 20.1 t received into 12.1 t and 8 t.
    const split = await append(received, recycler, {
      kind: 'split',
      at: '2026-11-04T09:00:00Z',
      quantity: null,
      details: { into: ['LOT-1A', 'LOT-1B'] },
    });
    const splitStep = split.at(-1)!;
    const partA = [
      await signStep(
        derivedStep('LOT-1A', tonnes(12.1), [splitStep], actor(recycler), '2026-11-04T09:00:00Z'),
        recycler.signer,
      ),
    ];
    const partB = [
      await signStep(
        derivedStep('LOT-1B', tonnes(8), [splitStep], actor(recycler), '2026-11-04T09:00:00Z'),
        recycler.signer,
      ),
    ];
    // Part B is grouped with another generator's lot of 5 t into LOT-G.
    const other = [
      await signStep(
        {
          lotId: 'LOT-2',
          seq: 1,
          kind: 'generated',
          actor: actor(generator),
          at: '2026-11-04T08:00:00Z',
          quantity: tonnes(5),
          previous: null,
          details: {},
        },
        generator.signer,
      ),
    ];
    const groupB = await append(partB, recycler, {
      kind: 'grouped',
      at: '2026-11-05T09:00:00Z',
      quantity: null,
      details: { into: 'LOT-G' },
    });
    const group2 = await append(other, recycler, {
      kind: 'grouped',
      at: '2026-11-05T09:00:00Z',
      quantity: null,
      details: { into: 'LOT-G' },
    });
    const grouped = [
      await signStep(
        derivedStep(
          'LOT-G',
          tonnes(13),
          [groupB.at(-1)!, group2.at(-1)!],
          actor(recycler),
          '2026-11-05T09:00:00Z',
        ),
        recycler.signer,
      ),
    ];
    const lots = new Map([
      ['LOT-1', split],
      ['LOT-1A', partA],
      ['LOT-1B', groupB],
      ['LOT-2', group2],
      ['LOT-G', grouped],
    ]);
    for (const chain of lots.values()) expect(verifyChain(chain, directory)).toEqual([]);
    expect(lineageIssues(lots)).toEqual([]);

    // Parts that do not add up, and a group that claims more than its lots.
    const wrongPart = [
      await signStep(
        derivedStep('LOT-1A', tonnes(13), [splitStep], actor(recycler), '2026-11-04T09:00:00Z'),
        recycler.signer,
      ),
    ];
    const wrongGroup = [
      await signStep(
        derivedStep(
          'LOT-G',
          tonnes(14),
          [groupB.at(-1)!, group2.at(-1)!],
          actor(recycler),
          '2026-11-05T09:00:00Z',
        ),
        recycler.signer,
      ),
    ];
    expect(lineageIssues(new Map([...lots, ['LOT-1A', wrongPart], ['LOT-G', wrongGroup]]))).toEqual(
      [
        {
          lotId: 'LOT-1',
          seq: 7,
          problem: 'split 20100 kg into parts of 21000 kg in all',
        },
        { lotId: 'LOT-G', seq: 1, problem: 'groups 13000 kg of lots into 14000 kg' },
      ],
    );
    // A part that does not name the split.
    const stray = [
      await signStep(
        derivedStep('LOT-1A', tonnes(12.1), [], actor(recycler), '2026-11-04T09:00:00Z'),
        recycler.signer,
      ),
    ];
    expect(lineageIssues(new Map([...lots, ['LOT-1A', stray]]))).toContainEqual({
      lotId: 'LOT-1',
      seq: 7,
      problem: 'LOT-1A does not start from this split',
    });
  });
});
