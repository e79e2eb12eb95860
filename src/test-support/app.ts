import { EventFeed } from '../app/event-feed.js';
import type { Principal } from '../core/auth/identity.js';
import type { DeclarationInput } from '../core/declaration/declaration.js';
import { ulidGenerator, systemClock, type AppContext } from '../app/context.js';
import { riskRuntime } from '../app/risk.js';
import { DEFAULT_RISK_SETTINGS } from '../core/risk/assess.js';
import {
  createAdministration,
  createAgency,
  createUser,
  issueApiToken,
} from '../app/manage-identity.js';
import { authenticate } from '../app/authenticate.js';
import type { Database } from '../storage/database.js';

/** An app context over a test database. */
export function testContext(db: Database): AppContext {
  return {
    storage: db,
    clock: systemClock,
    ids: ulidGenerator(),
    settings: {
      sessionTtlSeconds: 3600,
      permitDeadlines: { expeditedHours: 24, standardDays: 30 },
    },
    // No random selection in tests that are not about it: channels must not depend on luck.
    risk: riskRuntime(db, systemClock, { ...DEFAULT_RISK_SETTINGS, randomShare: 0 }),
    feed: new EventFeed(db),
  };
}

export interface TestWorld {
  ctx: AppContext;
  tokens: {
    officer: string;
    trader: string;
    otherTrader: string;
    ecologist: string;
    foreignOfficer: string;
    admin: string;
    riskAnalyst: string;
    /** Another customs risk analyst: the second pair of eyes on the first one's work. */
    secondAnalyst: string;
    /** Another environmental officer of the same agency. */
    secondEcologist: string;
  };
  principals: {
    officer: Principal;
    trader: Principal;
    otherTrader: Principal;
    admin: Principal;
    riskAnalyst: Principal;
    secondAnalyst: Principal;
    ecologist: Principal;
    secondEcologist: Principal;
  };
}

/** Two administrations, their agencies and one user per role we test with, each with an API token. */
export async function seedWorld(db: Database): Promise<TestWorld> {
  const ctx = testContext(db);
  const tokens = await db.write(async (tx) => {
    const home = await createAdministration(ctx, tx, {
      country: 'BY',
      name: 'Home customs',
      customsAgencyCode: 'BY-C',
      customsAgencyName: 'Home customs agency',
    });
    const abroad = await createAdministration(ctx, tx, {
      country: 'KZ',
      name: 'Partner customs',
      customsAgencyCode: 'KZ-C',
      customsAgencyName: 'Partner customs agency',
    });
    const env = await createAgency(ctx, tx, {
      administrationId: home.administrationId,
      kind: 'environment',
      code: 'BY-E',
      name: 'Env',
    });
    const t1 = await createAgency(ctx, tx, {
      administrationId: home.administrationId,
      kind: 'trader',
      code: 'T1',
      name: 'Trader one',
      traderId: 'BY100',
    });
    const t2 = await createAgency(ctx, tx, {
      administrationId: home.administrationId,
      kind: 'trader',
      code: 'T2',
      name: 'Trader two',
      traderId: 'BY200',
    });
    // Both traders lodge the ENS examples, which name GB carriers as the person lodging (or only
    // a GB sender): they are registered as those carriers' customs representatives.
    for (const representativeAgencyId of [t1, t2]) {
      for (const traderId of ['GB987654321000', 'GB1234231', 'GBCD12345EFG', 'GBABC', 'GBCD1234']) {
        await tx.identity.insertRepresentation({
          id: ctx.ids.next(),
          representativeAgencyId,
          traderId,
          mode: 'indirect',
          validFrom: '2000-01-01T00:00:00.000Z',
          validTo: null,
          createdAt: ctx.clock.now().toISOString(),
          createdBy: 'test-world',
          revokedAt: null,
          revokedBy: null,
        });
      }
    }
    const mk = async (agencyId: string, username: string, roles: Principal['roles'][number][]) => {
      const id = await createUser(ctx, tx, {
        agencyId,
        username,
        displayName: username,
        roles: [...roles],
        password: null,
      });
      return (await issueApiToken(ctx, tx, { userId: id, name: 'test' })).token;
    };
    return {
      officer: await mk(home.customsAgencyId, 'officer', ['border_officer']),
      admin: await mk(home.customsAgencyId, 'admin', ['admin']),
      trader: await mk(t1, 'trader1', ['trader']),
      otherTrader: await mk(t2, 'trader2', ['trader']),
      ecologist: await mk(env, 'ecologist', ['environmental_officer']),
      foreignOfficer: await mk(abroad.customsAgencyId, 'kzofficer', ['border_officer']),
      riskAnalyst: await mk(home.customsAgencyId, 'home-analyst', ['risk_analyst']),
      secondAnalyst: await mk(home.customsAgencyId, 'second-analyst', ['risk_analyst']),
      secondEcologist: await mk(env, 'second-ecologist', ['environmental_officer']),
    };
  });
  return {
    ctx,
    tokens,
    principals: {
      officer: await authenticate(ctx, tokens.officer),
      trader: await authenticate(ctx, tokens.trader),
      otherTrader: await authenticate(ctx, tokens.otherTrader),
      admin: await authenticate(ctx, tokens.admin),
      riskAnalyst: await authenticate(ctx, tokens.riskAnalyst),
      secondAnalyst: await authenticate(ctx, tokens.secondAnalyst),
      ecologist: await authenticate(ctx, tokens.ecologist),
      secondEcologist: await authenticate(ctx, tokens.secondEcologist),
    },
  };
}

/** A small valid declaration; `overrides` replace top-level fields. */
export function sampleDeclaration(overrides: Partial<DeclarationInput> = {}): DeclarationInput {
  return {
    kind: 'import',
    reference: 'LRN-0001',
    // An hour before now: traders' declared dates must lie near receipt (DECLARATION_DATE_WINDOW).
    submittedAt: new Date(Date.now() - 3_600_000).toISOString(),
    office: 'BY112000',
    declarant: { id: 'BY100', name: 'Trader one', country: 'BY' },
    consignor: { name: 'Shenzhen E-Cycle Co', country: 'CN' },
    consignee: { id: 'BY100', name: 'Trader one', country: 'BY' },
    route: {
      dispatchCountry: 'CN',
      destinationCountry: 'BY',
      transitCountries: ['KZ', 'RU'],
      transportMode: 'rail',
    },
    goodsItems: [
      {
        sequence: 1,
        hsCode: '8549210000',
        description: 'Waste batteries, lead-acid',
        quantity: 1200,
        unit: 'KGM',
        netMass: 1200,
        grossMass: 1300,
        value: 840,
        currency: 'USD',
        originCountry: 'CN',
      },
      {
        sequence: 2,
        hsCode: '0106390000',
        description: 'Live parrots',
        quantity: 4,
        unit: 'NAR',
        value: 2000,
        currency: 'USD',
        originCountry: 'CM',
        species: 'Psittacus erithacus',
        documents: [{ type: 'C400', reference: 'CITES-CM-2026-0042' }],
      },
    ],
    documents: [{ type: 'N935', reference: 'INV-2026-77' }],
    ...overrides,
  };
}
