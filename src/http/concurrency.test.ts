import { readFileSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary, readLibrary } from '../app/library.js';
import type { PreArrivalReferral } from '../core/cargo/referral.js';
import { DomainError } from '../core/errors.js';
import { sampleDeclaration, seedWorld, type TestWorld } from '../test-support/app.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../test-support/databases.js';
import { bearer, testHttpApp } from '../test-support/http.js';
import { airReport } from '../test-support/ens-messages.js';
import { naiveAmendment, naiveCloseReferral, naiveLodging } from '../test-support/naive-lodging.js';
import { problemFromDomainError } from './problem.js';

/**
 * Concurrent requests against one record, through the HTTP app, on every backend, with the
 * reference library in force: the same reference lodged 32 times, 32 amendments of one cargo
 * report, and a trader's reply racing an officer's close. Each invariant is a function that lists
 * what it finds wrong; it is run on the real routes (must find nothing) and on a naive
 * check-then-act variant of the same write (src/test-support/naive-lodging.ts), which it must
 * catch, or the test could catch nothing.
 */

const CONCURRENCY = 32;
const ROUNDS = 20;

const ENS = new URL('../../test/fixtures/ens/', import.meta.url);
const AMENDMENT = readFileSync(new URL('examples/validAmendment.xml', ENS), 'utf8');

/** The reptiles report every scenario lodges: an information request (CITES) unless it quotes one. */
const reptiles = (lrn: string, documents?: Array<[string, string]>) =>
  airReport({ lrn, hs: '010690', arrivalHours: 30, ...(documents ? { documents } : {}) });

/** What a request was answered: the HTTP response, or what the HTTP edge makes of a naive call. */
interface Outcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

interface Problem {
  detail: string;
  errors?: Array<{ field: string; detail: string }>;
}

interface Ack {
  mrn: string;
  declarationId: string;
  report: { version: number };
  referrals: PreArrivalReferral[];
}

function fromResponse(r: LightMyRequestResponse): Outcome {
  let body: unknown = r.body;
  try {
    body = r.json();
  } catch {
    // Not JSON: kept as text, for the report of what went wrong.
  }
  return { status: r.statusCode, body, replayed: r.headers['idempotent-replayed'] === 'true' };
}

/** A direct call answered as the HTTP edge would: its value, or its DomainError's problem. */
async function settle(work: Promise<unknown>, okStatus: number): Promise<Outcome> {
  try {
    const value = await work;
    return {
      status: okStatus,
      body: JSON.parse(JSON.stringify(value)) as unknown,
      replayed: false,
    };
  } catch (error) {
    if (error instanceof DomainError) {
      const problem = problemFromDomainError(error);
      return { status: problem.status, body: problem, replayed: false };
    }
    return { status: 500, body: String(error), replayed: false };
  }
}

const tally = (outcomes: Outcome[]) => {
  const counts: Record<number, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
};

/** A problem document naming one of `names` (the record that holds the reference). */
function namesOneOf(body: unknown, names: readonly string[]): boolean {
  const p = body as Problem;
  const mentions = (text: string | undefined) => names.some((n) => text?.includes(n) ?? false);
  return mentions(p.detail) && (p.errors ?? []).some((e) => mentions(e.detail));
}

// ---------------------------------------------------------------------------------------------
// The invariants, shared by the real and the naive runs. Each returns every violation it finds.
// ---------------------------------------------------------------------------------------------

/**
 * One reference, many concurrent lodgings: exactly one accepted (`created`), the others 409 naming
 * the record that has the reference, no 5xx, and exactly one stored record, the accepted one.
 */
function sameReferenceViolations(
  outcomes: Outcome[],
  created: number,
  stored: Array<{ id: string; names: string[] }>,
  idOf: (body: unknown) => string,
): string[] {
  const v: string[] = [];
  const failed = outcomes.filter((o) => o.status >= 500);
  if (failed.length > 0) v.push(`${failed.length} answered 5xx: ${JSON.stringify(failed[0])}`);
  const accepted = outcomes.filter((o) => o.status === created);
  if (accepted.length !== 1) v.push(`${accepted.length} lodgings accepted under one reference`);
  const other = outcomes.filter((o) => o.status !== created && o.status !== 409 && o.status < 500);
  if (other.length > 0) v.push(`unexpected answers: ${JSON.stringify(tally(other))}`);
  if (stored.length !== 1) v.push(`${stored.length} records stored under one reference`);
  const names = stored.flatMap((s) => s.names);
  const unnamed = outcomes.filter((o) => o.status === 409 && !namesOneOf(o.body, names));
  if (unnamed.length > 0) {
    v.push(`${unnamed.length} refusals do not name the record: ${JSON.stringify(unnamed[0])}`);
  }
  const ids = new Set(stored.map((s) => s.id));
  const phantom = accepted.filter((o) => !ids.has(idOf(o.body)));
  if (phantom.length > 0) v.push(`${phantom.length} accepted lodgings are not stored`);
  return v;
}

/**
 * Concurrent amendments of one report: every accepted amendment is a version of its own (no lost
 * update), the report's version counts them, and the stored messages are versions 1..version.
 */
function amendmentViolations(
  outcomes: Outcome[],
  version: number,
  messageVersions: number[],
): string[] {
  const v: string[] = [];
  const failed = outcomes.filter((o) => o.status >= 500);
  if (failed.length > 0) v.push(`${failed.length} answered 5xx: ${JSON.stringify(failed[0])}`);
  const accepted = outcomes.filter((o) => o.status === 200);
  const other = outcomes.filter((o) => o.status !== 200 && o.status !== 409 && o.status < 500);
  if (other.length > 0) v.push(`unexpected answers: ${JSON.stringify(tally(other))}`);
  const acknowledged = accepted.map((o) => (o.body as Ack).report.version);
  if (new Set(acknowledged).size !== acknowledged.length) {
    v.push(`${acknowledged.length} amendments acknowledged as versions ${acknowledged.join(',')}`);
  }
  if (version !== 1 + accepted.length) {
    v.push(`the report is at version ${version} after ${accepted.length} accepted amendments`);
  }
  const contiguous = Array.from({ length: version }, (_, i) => i + 1);
  if (JSON.stringify(messageVersions) !== JSON.stringify(contiguous)) {
    v.push(`stored messages are versions [${messageVersions.join(',')}], not 1..${version}`);
  }
  return v;
}

interface ReferralRace {
  reply: Outcome;
  close: Outcome;
  /** The referral as stored afterwards. */
  referral: PreArrivalReferral;
  /** Document references on the report's goods item 1 afterwards. */
  itemDocuments: string[];
  /** The reference of the document the reply sent, and the officer's reason. */
  replyReference: string;
  closeReason: string;
}

/**
 * A trader's reply and an officer's close of one information request: the stored state is that
 * of one serial order. Reply first: the reply and its document are kept, the referral is closed
 * (by the screening the reply triggers, so the close is 409, or by the close after it). Close
 * first: closed with the officer's reason, no reply, the reply 409. Never a 5xx, never both
 * refused, never a reply answered 200 and lost, never a close answered 200 and left 'answered'.
 */
function referralViolations(r: ReferralRace): string[] {
  const v: string[] = [];
  for (const [what, o] of [
    ['reply', r.reply],
    ['close', r.close],
  ] as const) {
    if (o.status !== 200 && o.status !== 409) {
      v.push(`the ${what} was answered ${o.status}: ${JSON.stringify(o.body)}`);
    }
  }
  const replied = r.reply.status === 200;
  const closed = r.close.status === 200;
  const kept = r.referral.reply?.documents.some((d) => d.reference === r.replyReference) ?? false;
  const onReport = r.itemDocuments.includes(r.replyReference);
  const byOfficer = r.referral.closedReason === r.closeReason;
  if (!replied && !closed) v.push('both the reply and the close were refused');
  if (r.referral.status !== 'closed') v.push(`the referral ended '${r.referral.status}'`);
  if (replied && !kept) v.push('lost reply: answered 200, but the referral holds no reply');
  if (replied && !onReport)
    v.push("the reply was answered 200, but its document isn't on the report");
  if (!replied && (kept || r.referral.repliedAt !== null)) v.push('a refused reply was stored');
  if (!replied && onReport) v.push('a refused reply changed the report');
  if (closed && !byOfficer)
    v.push(`lost close: answered 200, but closed '${r.referral.closedReason}'`);
  if (!closed && byOfficer) v.push('a refused close was stored');
  return v;
}

// ---------------------------------------------------------------------------------------------

describe.each(BACKENDS)('concurrent writes over HTTP on %s', (backend) => {
  let t: TestDatabase;
  let world: TestWorld;
  let app: FastifyInstance;
  let activeIndicators = 0;
  let libraryIndicators = 0;

  const send = (
    method: 'GET' | 'POST',
    url: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...bearer(token),
        ...(typeof body === 'string' ? { 'content-type': 'application/xml' } : {}),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : typeof body === 'string'
          ? { payload: body }
          : { payload: body as object }),
    });
  const ok = <T>(r: LightMyRequestResponse): T => {
    if (r.statusCode >= 300) throw new Error(`${r.statusCode}: ${r.body}`);
    return r.json<T>();
  };

  /** The declarations stored under `reference` (goods declarations or cargo reports). */
  const storedUnder = async (reference: string, cargo: boolean) => {
    const rows = await t.db.kysely
      .selectFrom('declarations as d')
      .leftJoin('cargo_reports as c', 'c.declaration_id', 'd.id')
      .select(['d.id', 'c.mrn'])
      .where('d.reference', '=', reference)
      .where('d.kind', cargo ? '=' : '<>', 'cargo-report')
      .execute();
    return rows.map((r) => ({ id: r.id, names: r.mrn ? [r.id, r.mrn] : [r.id] }));
  };

  /** Lodges the reptiles report under `lrn`: the library asks for their CITES document. */
  const lodgeInformationRequest = async (lrn: string) => {
    const ack = ok<Ack>(
      await send('POST', '/api/cargo-reports', world.tokens.trader, reptiles(lrn)),
    );
    const request = ack.referrals.find((r) => r.kind === 'information-request');
    expect(request, JSON.stringify(ack)).toMatchObject({ status: 'open' });
    // Asked by the library's CITES indicator (live reptiles without a C400).
    // (the trader's acknowledgement does not say which; the stored referral does).
    const stored = await t.db.read.cargo.findReferral(request!.id);
    expect(stored!.indicators.map((i) => i.split('@')[0])).toContain('GL-ES-02');
    return { ack, referralId: request!.id };
  };

  /** The referral and the report's item-1 documents after a race. */
  const settled = async (declarationId: string, referralId: string) => {
    const view = ok<{
      declaration: { goodsItems: Array<{ documents: Array<{ reference: string }> }> };
      referrals: PreArrivalReferral[];
    }>(await send('GET', `/api/cargo-reports/${declarationId}`, world.tokens.officer));
    return {
      referral: view.referrals.find((r) => r.id === referralId)!,
      itemDocuments: view.declaration.goodsItems[0]!.documents.map((d) => d.reference),
    };
  };

  /** The report's version and its stored messages' versions. */
  const versions = async (declarationId: string) => {
    const view = ok<{ report: { version: number } }>(
      await send('GET', `/api/cargo-reports/${declarationId}`, world.tokens.trader),
    );
    const messages = ok<Array<{ version: number }>>(
      await send('GET', `/api/cargo-reports/${declarationId}/messages`, world.tokens.trader),
    );
    return { version: view.report.version, messages: messages.map((m) => m.version) };
  };

  beforeAll(async () => {
    t = await freshDatabase(backend);
    world = await seedWorld(t.db);
    // The shipped reference library, authored and approved as library.test.ts does.
    const library = await readLibrary();
    await loadLibrary(world.ctx, library, {
      author: world.principals.riskAnalyst,
      coAuthorAgencyIds: [world.principals.ecologist.agencyId],
      approvers: [world.principals.secondAnalyst, world.principals.ecologist],
    });
    libraryIndicators = library.indicators.length;
    activeIndicators = (await t.db.read.indicators.listActive()).length;
    app = await testHttpApp(world.ctx);
  });
  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  it('screens with the reference library in force', () => {
    expect(activeIndicators).toBeGreaterThan(0);
    expect(activeIndicators).toBe(libraryIndicators);
  });

  describe('one reference lodged concurrently', () => {
    const lodge = (
      reference: string,
      headers: Record<string, string> = {},
      body: unknown = sampleDeclaration({ reference }),
    ) =>
      send('POST', '/api/declarations', world.tokens.trader, body, {
        'content-type': 'application/json',
        ...headers,
      });

    it('accepts one declaration; the others are 409 naming it', async () => {
      const reference = 'RACE-DECL';
      const outcomes = (
        await Promise.all(Array.from({ length: CONCURRENCY }, () => lodge(reference)))
      ).map(fromResponse);
      const stored = await storedUnder(reference, false);
      const violations = sameReferenceViolations(
        outcomes,
        201,
        stored,
        (b) => (b as { id: string }).id,
      );
      expect(violations, JSON.stringify(tally(outcomes))).toEqual([]);
      expect(tally(outcomes)).toEqual({ 201: 1, 409: CONCURRENCY - 1 });
      // Screened by the library: the waste batteries (8549) without a notification hit GL-EW-01.
      const created = outcomes.find((o) => o.status === 201)!.body as { id: string };
      const record = await t.db.read.declarations.findById(created.id);
      expect(record!.assessment!.hits.map((h) => h.indicatorId)).toContain('GL-EW-01');
    });

    it('replays a retried lodging (one Idempotency-Key, one body) to every retry: one record', async () => {
      const reference = 'RACE-IDEM';
      // One body for every retry (sampleDeclaration dates each call anew).
      const body = sampleDeclaration({ reference });
      const responses = await Promise.all(
        Array.from({ length: CONCURRENCY }, () =>
          lodge(reference, { 'idempotency-key': 'race-1' }, body),
        ),
      );
      const outcomes = responses.map(fromResponse);
      const refused = outcomes.find((o) => o.status !== 201);
      expect(tally(outcomes), JSON.stringify(refused?.body)).toEqual({ 201: CONCURRENCY });
      expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
      const first = outcomes.find((o) => !o.replayed)!.body;
      for (const o of outcomes) expect(o.body).toEqual(first);
      expect(await storedUnder(reference, false)).toHaveLength(1);
    });

    it('accepts one cargo report (IE315); the others are 409 naming it', async () => {
      const lrn = 'RACE-ENS';
      const xml = reptiles(lrn, [['C400', 'KE-2026-1']]);
      const outcomes = (
        await Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            send('POST', '/api/cargo-reports', world.tokens.trader, xml),
          ),
        )
      ).map(fromResponse);
      const stored = await storedUnder(lrn, true);
      const violations = sameReferenceViolations(
        outcomes,
        201,
        stored,
        (b) => (b as Ack).declarationId,
      );
      expect(violations, JSON.stringify(tally(outcomes))).toEqual([]);
      expect(tally(outcomes)).toEqual({ 201: 1, 409: CONCURRENCY - 1 });
      const reports = await t.db.kysely
        .selectFrom('cargo_reports')
        .select('mrn')
        .where('lrn', '=', lrn)
        .execute();
      expect(reports).toHaveLength(1);
    });

    it('negative control: the naive check-then-insert lodging is caught accepting duplicates', async () => {
      const reference = 'RACE-NAIVE';
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENCY }, () =>
          settle(
            naiveLodging(
              world.ctx,
              t.db,
              world.principals.trader,
              sampleDeclaration({ reference }),
            ),
            201,
          ),
        ),
      );
      const stored = await storedUnder(reference, false);
      const violations = sameReferenceViolations(
        outcomes,
        201,
        stored,
        (b) => (b as { id: string }).id,
      );
      expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(1);
      expect(violations).toContainEqual(
        expect.stringMatching(/lodgings accepted under one reference/),
      );
      expect(violations).toContainEqual(
        expect.stringMatching(/records stored under one reference/),
      );
    });
  });

  describe('concurrent IE313 amendments of one MRN', () => {
    it('accepts one amendment; the others are 409; versions stay 1..2', async () => {
      const ack = ok<Ack>(
        await send(
          'POST',
          '/api/cargo-reports',
          world.tokens.trader,
          reptiles('RACE-313', [['C400', 'KE-2026-2']]),
        ),
      );
      const amendment = AMENDMENT.replace('12AB3C4D5E6F7G8H90', ack.mrn);
      const outcomes = (
        await Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            send('POST', '/api/cargo-reports', world.tokens.trader, amendment),
          ),
        )
      ).map(fromResponse);
      const after = await versions(ack.declarationId);
      expect(amendmentViolations(outcomes, after.version, after.messages)).toEqual([]);
      expect(tally(outcomes)).toEqual({ 200: 1, 409: CONCURRENCY - 1 });
      expect(after).toEqual({ version: 2, messages: [1, 2] });
    });

    it('negative control: the naive unguarded amendment is caught losing versions', async () => {
      const ack = ok<Ack>(
        await send(
          'POST',
          '/api/cargo-reports',
          world.tokens.trader,
          reptiles('RACE-313-NAIVE', [['C400', 'KE-2026-3']]),
        ),
      );
      const amendment = AMENDMENT.replace('12AB3C4D5E6F7G8H90', ack.mrn);
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENCY }, () =>
          settle(naiveAmendment(world.ctx, t.db, world.principals.trader, ack.mrn, amendment), 200),
        ),
      );
      const after = await versions(ack.declarationId);
      const violations = amendmentViolations(outcomes, after.version, after.messages);
      expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(1);
      expect(violations).toContainEqual(expect.stringMatching(/acknowledged as versions/));
      expect(violations).toContainEqual(expect.stringMatching(/after \d+ accepted amendments/));
      expect(violations).toContainEqual(expect.stringMatching(/not 1\.\.\d+/));
    });
  });

  describe("a trader's reply racing an officer's close", () => {
    const REASON = 'Checked the permit with the Kenya Wildlife Service';
    let lodgings = 0;
    /** How long a reply takes with ROUNDS of them at once (measured in beforeAll). */
    let replyMs = 0;

    /** ROUNDS fresh reports, each with an open information request (lodged one by one). */
    const informationRequests = async () => {
      const lodged = [];
      for (let i = 0; i < ROUNDS; i++)
        lodged.push(await lodgeInformationRequest(`RVC-${lodgings++}`));
      return lodged;
    };
    const reply = async (referralId: string, reference: string) =>
      fromResponse(
        await send('POST', `/api/cargo-referrals/${referralId}/reply`, world.tokens.trader, {
          documents: [{ type: 'C400', reference, items: [1] }],
        }),
      );
    const after = (ms: number) => new Promise((r) => setTimeout(r, ms));

    beforeAll(async () => {
      const lodged = await informationRequests();
      const took = await Promise.all(
        lodged.map(async ({ referralId }, i) => {
          const started = performance.now();
          expect((await reply(referralId, `CAL-${i}`)).status).toBe(200);
          return performance.now() - started;
        }),
      );
      replyMs = took.sort((a, b) => a - b)[Math.floor(took.length / 2)]!;
    });

    /**
     * ROUNDS races, all at once, each on a fresh report: the reply and `close`, one of them late
     * by an offset that sweeps from the reply late by a reply's duration to the close late by as
     * much, so that some closes come first, some after the reply, and some while it is written.
     */
    async function race(close: (referralId: string) => Promise<Outcome>): Promise<ReferralRace[]> {
      const lodged = await informationRequests();
      const pairs = await Promise.all(
        lodged.map(async ({ referralId }, i) => {
          const replyReference = `KE-2026-R${i}`;
          const offset = replyMs * ((2 * i) / (ROUNDS - 1) - 1);
          const [replied, closed] = await Promise.all([
            after(Math.max(0, -offset)).then(() => reply(referralId, replyReference)),
            after(Math.max(0, offset)).then(() => close(referralId)),
          ]);
          return { reply: replied, close: closed, replyReference, closeReason: REASON };
        }),
      );
      return Promise.all(
        pairs.map(async (p, i) => ({
          ...p,
          ...(await settled(lodged[i]!.ack.declarationId, lodged[i]!.referralId)),
        })),
      );
    }

    /** How the rounds were answered, as `reply/close` status pairs. */
    const answers = (races: ReferralRace[]) => {
      const counts: Record<string, number> = {};
      for (const r of races) {
        const key = `${r.reply.status}/${r.close.status}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return JSON.stringify({ replyMs: Math.round(replyMs), ...counts });
    };

    it('ends each time as one serial order would: reply then close, or close then reply', async () => {
      const races = await race(async (id) =>
        fromResponse(
          await send('POST', `/api/cargo-referrals/${id}/close`, world.tokens.officer, {
            reason: REASON,
          }),
        ),
      );
      const violations = races.flatMap((r, i) =>
        referralViolations(r).map((v) => `round ${i}: ${v}`),
      );
      expect(violations, answers(races)).toEqual([]);
      // The sweep did race them: both serial orders were seen.
      expect(
        races.some((r) => r.close.status === 200),
        answers(races),
      ).toBe(true);
      expect(
        races.some((r) => r.reply.status === 200),
        answers(races),
      ).toBe(true);
    });

    it('negative control: the naive whole-row close is caught losing a reply', async () => {
      // The naive close pauses up to one reply's duration between its read and its write.
      const races = await race((id) =>
        settle(naiveCloseReferral(world.ctx, t.db, id, REASON, replyMs), 200),
      );
      const violations = races.flatMap((r) => referralViolations(r));
      expect(violations, answers(races)).toContainEqual(expect.stringMatching(/^lost reply/));
    });
  });
});
