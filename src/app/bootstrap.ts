import { randomBytes } from 'node:crypto';
import type { Principal, Role } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { Repositories } from '../core/ports.js';
import { principalOfUser } from './authenticate.js';
import type { AppContext } from './context.js';
import { seedDemoActivity } from './demo-activity.js';
import { seedDemoIpr } from './demo-ipr.js';
import { seedDemoEnergy } from './demo-energy.js';
import { seedDemoMirror } from './demo-mirror.js';
import {
  loadLibrary,
  readLibrary,
  type Library,
  type LoadOptions,
  type LoadReport,
} from './library.js';
import {
  createAdministration,
  createAgency,
  createUser,
  issueApiToken,
} from './manage-identity.js';

export interface CreatedAdmin {
  username: string;
  password: string;
  token: string;
}

/**
 * First run: creates an administrator (and, on an empty database, the administration and its
 * customs agency) and an API token for it. The password is generated when none is given.
 */
export async function createAdmin(
  ctx: AppContext,
  input: { username: string; password?: string; country: string; administrationName: string },
): Promise<CreatedAdmin> {
  const password = input.password ?? randomBytes(12).toString('base64url');
  const token = await ctx.storage.write(async (tx) => {
    const administrations = await tx.identity.listAdministrations();
    let customsAgencyId: string;
    const existing =
      administrations[0] && (await tx.identity.findCustomsAgency(administrations[0].id));
    if (existing) {
      customsAgencyId = existing.id;
    } else {
      ({ customsAgencyId } = await createAdministration(ctx, tx, {
        country: input.country,
        name: input.administrationName,
        customsAgencyCode: `${input.country}-CUSTOMS`,
        customsAgencyName: `${input.administrationName} (customs)`,
      }));
    }
    const userId = await createUser(ctx, tx, {
      agencyId: customsAgencyId,
      username: input.username,
      displayName: 'Administrator',
      roles: ['admin'],
      password,
    });
    return (await issueApiToken(ctx, tx, { userId, name: 'first-run' })).token;
  });
  return { username: input.username, password, token };
}

/** The password every demo user signs in with. */
export const DEMO_PASSWORD = 'greenlane-demo';

/** A demo user: username, display name, agency (by code) and roles. */
export interface DemoUser {
  username: string;
  displayName: string;
  agency: string;
  roles: Role[];
}

/** Demo users of the demo administration (Belarus). */
export const DEMO_USERS: ReadonlyArray<DemoUser> = [
  { username: 'admin', displayName: 'Demo Administrator', agency: 'BY-CUSTOMS', roles: ['admin'] },
  {
    username: 'analyst',
    displayName: 'Alena Risk (risk analyst)',
    agency: 'BY-CUSTOMS',
    roles: ['risk_analyst'],
  },
  {
    // Four eyes: the second analyst approves what the first one saved or proposed, and back.
    username: 'analyst2',
    displayName: 'Dmitri Check (risk analyst)',
    agency: 'BY-CUSTOMS',
    roles: ['risk_analyst'],
  },
  {
    username: 'officer',
    displayName: 'Ivan Post (border officer)',
    agency: 'BY-CUSTOMS',
    roles: ['border_officer'],
  },
  {
    username: 'liaison',
    displayName: 'Olga Link (liaison officer)',
    agency: 'BY-CUSTOMS',
    roles: ['liaison_officer'],
  },
  {
    username: 'manager',
    displayName: 'Pavel Board (manager)',
    agency: 'BY-CUSTOMS',
    roles: ['manager'],
  },
  {
    username: 'ecologist',
    displayName: 'Maria Green (environmental officer)',
    agency: 'BY-ENV',
    roles: ['environmental_officer'],
  },
  {
    username: 'trader',
    displayName: 'EcoMet Recycling (declarant)',
    agency: 'TRADER-ECOMET',
    roles: ['trader'],
  },
  {
    username: 'iprunit',
    displayName: 'Sergei Mark (customs IPR unit)',
    agency: 'BY-CUSTOMS',
    roles: ['ipr_officer'],
  },
  {
    username: 'holder',
    displayName: 'Nordstride Sports (right holder)',
    agency: 'RH-NORDSTRIDE',
    roles: ['right_holder'],
  },
];

/**
 * Seeds a demo administration on an empty database: customs and environmental agencies, a trading
 * company, one user per role, an admin API token and a few starter indicators. Does nothing
 * when users exist.
 */
export async function seedDemo(
  ctx: AppContext,
): Promise<{ seeded: false } | { seeded: true; adminToken: string }> {
  const adminToken = await ctx.storage.write(async (tx) => {
    if ((await tx.identity.countUsers()) > 0) return undefined;
    const { administrationId, customsAgencyId } = await createAdministration(ctx, tx, {
      country: 'BY',
      name: 'State Customs Committee of Belarus (demo)',
      customsAgencyCode: 'BY-CUSTOMS',
      customsAgencyName: 'Customs service (demo)',
    });
    const agencies: Record<string, string> = { 'BY-CUSTOMS': customsAgencyId };
    agencies['BY-ENV'] = await createAgency(ctx, tx, {
      administrationId,
      kind: 'environment',
      code: 'BY-ENV',
      name: 'Ministry of Natural Resources and Environmental Protection (demo)',
    });
    agencies['TRADER-ECOMET'] = await createAgency(ctx, tx, {
      administrationId,
      kind: 'trader',
      code: 'TRADER-ECOMET',
      name: 'EcoMet Recycling LLC (demo)',
      traderId: 'BY190000001',
    });
    agencies['RH-NORDSTRIDE'] = await createAgency(ctx, tx, {
      administrationId,
      kind: 'right-holder',
      code: 'RH-NORDSTRIDE',
      name: 'Nordstride Sports AB (demo)',
      traderId: 'SE5560000001',
    });
    // The demo trader files the cargo reports of a GB carrier as its indirect representative,
    // and is authorised for simplified declarations.
    await tx.identity.insertRepresentation({
      id: ctx.ids.next(),
      representativeAgencyId: agencies['TRADER-ECOMET'],
      traderId: 'GB987654321000',
      mode: 'indirect',
      validFrom: ctx.clock.now().toISOString(),
      validTo: null,
      createdAt: ctx.clock.now().toISOString(),
      createdBy: 'bootstrap',
      revokedAt: null,
      revokedBy: null,
    });
    await tx.identity.setSimplifiedProcedures(agencies['TRADER-ECOMET'], true);
    const adminId = await createDemoUsers(ctx, tx, DEMO_USERS, agencies);
    return (await issueApiToken(ctx, tx, { userId: adminId, name: 'demo' })).token;
  });
  if (adminToken === undefined) return { seeded: false };
  // The reference library, authored by customs with the environmental agency and pre-approved
  // by both, through the same workflow a real install uses: the analyst saves it, the second
  // analyst approves it for customs (nobody approves what they saved).
  const analyst = await principalOfUser(ctx, 'analyst');
  const ecologist = await principalOfUser(ctx, 'ecologist');
  await loadLibrary(ctx, await readLibrary(), {
    author: analyst,
    coAuthorAgencyIds: [ecologist.agencyId],
    approvers: [await principalOfUser(ctx, 'analyst2'), ecologist],
  });
  await seedDemoActivity(ctx, {
    officer: await principalOfUser(ctx, 'officer'),
    analyst,
    ecologist,
    trader: await principalOfUser(ctx, 'trader'),
  });
  await seedDemoIpr(ctx, {
    admin: await principalOfUser(ctx, 'admin'),
    iprOfficer: await principalOfUser(ctx, 'iprunit'),
    officer: await principalOfUser(ctx, 'officer'),
    holder: await principalOfUser(ctx, 'holder'),
    trader: await principalOfUser(ctx, 'trader'),
  });
  await seedDemoEnergy(ctx, analyst);
  await seedDemoMirror(ctx, analyst);
  return { seeded: true, adminToken };
}

/** Creates demo users (the demo password) in their agencies; the id of `admin`. */
async function createDemoUsers(
  ctx: AppContext,
  tx: Repositories,
  users: ReadonlyArray<DemoUser>,
  agencies: Record<string, string>,
): Promise<string> {
  let adminId = '';
  for (const u of users) {
    const id = await createUser(ctx, tx, {
      agencyId: agencies[u.agency]!,
      username: u.username,
      displayName: u.displayName,
      roles: u.roles,
      password: DEMO_PASSWORD,
    });
    if (u.username === 'admin') adminId = id;
  }
  return adminId;
}

/** The demo partner administration: Kazakhstan's customs, on its own database and node. */
export const DEMO_PARTNER_ADMINISTRATION = {
  country: 'KZ',
  name: 'State Revenue Committee of Kazakhstan (demo)',
  customsAgencyCode: 'KZ-CUSTOMS',
  customsAgencyName: 'Customs control (demo)',
} as const;

/** Demo users of the partner: the same usernames (and password) as the main demo's customs staff. */
export const DEMO_PARTNER_USERS: ReadonlyArray<DemoUser> = [
  {
    username: 'admin',
    displayName: 'Demo Administrator (KZ)',
    agency: 'KZ-CUSTOMS',
    roles: ['admin'],
  },
  {
    username: 'analyst',
    displayName: 'Aigerim Sadykova (risk analyst)',
    agency: 'KZ-CUSTOMS',
    roles: ['risk_analyst'],
  },
  {
    username: 'analyst2',
    displayName: 'Nurlan Abenov (risk analyst)',
    agency: 'KZ-CUSTOMS',
    roles: ['risk_analyst'],
  },
  {
    username: 'officer',
    displayName: 'Daniyar Ospanov (border officer)',
    agency: 'KZ-CUSTOMS',
    roles: ['border_officer'],
  },
  {
    username: 'liaison',
    displayName: 'Asel Nurpeisova (liaison officer)',
    agency: 'KZ-CUSTOMS',
    roles: ['liaison_officer'],
  },
  {
    username: 'manager',
    displayName: 'Yerlan Mukhamedov (manager)',
    agency: 'KZ-CUSTOMS',
    roles: ['manager'],
  },
];

/**
 * The partner's own indicators, from its cases: shareable, so its analysts have something of
 * their own to share with the main demo administration (which has the reference library too).
 */
export const DEMO_PARTNER_INDICATORS: Library = {
  lists: [],
  indicators: [
    {
      key: 'KZ-ES-01',
      title: 'Horns declared without a CITES document',
      priorityArea: 'endangered-species',
      condition: 'item.hs.startsWith("0507") && !hasDocument("C400") && !hasValidPermit("cites")',
      weight: 60,
      controlForm: 'physical-inspection',
      rationale:
        'Saiga antelope horn (CITES Appendix II) leaves Central Asia declared as horn or antler of other animals (HS 0507); genuine trade in horn carries a CITES document.',
      expectedDocuments: [{ type: 'C400', title: 'CITES permit or certificate' }],
      sources: ['Convention on International Trade in Endangered Species (CITES), Appendix II'],
      directChannel: null,
      sharing: 'shareable',
    },
    {
      key: 'KZ-EW-01',
      title: 'Batteries declared as ferrous scrap',
      priorityArea: 'e-waste',
      condition: 'item.hs.startsWith("7204") && item.description.contains("batter")',
      weight: 55,
      controlForm: 'physical-inspection',
      rationale:
        'Waste lead-acid batteries (Basel A1160) are hidden in rail consignments of ferrous scrap (HS 7204) to avoid the prior informed consent procedure.',
      expectedDocuments: [],
      sources: [
        'Basel Convention on the Control of Transboundary Movements of Hazardous Wastes and their Disposal, Annex VIII entry A1160',
      ],
      directChannel: null,
      sharing: 'shareable',
    },
  ],
};

/**
 * Seeds the demo partner administration on an empty database: its customs agency, the customs
 * demo users (same usernames and password as the main demo), the reference library and the
 * partner's own indicators, pre-approved by a second analyst. Does nothing when users exist.
 */
export async function seedDemoPartner(ctx: AppContext): Promise<{ seeded: boolean }> {
  const seeded = await ctx.storage.write(async (tx) => {
    if ((await tx.identity.countUsers()) > 0) return false;
    const { customsAgencyId } = await createAdministration(ctx, tx, DEMO_PARTNER_ADMINISTRATION);
    await createDemoUsers(ctx, tx, DEMO_PARTNER_USERS, {
      [DEMO_PARTNER_ADMINISTRATION.customsAgencyCode]: customsAgencyId,
    });
    return true;
  });
  if (!seeded) return { seeded: false };
  // Customs only (no environmental agency here): the analyst saves, the second analyst approves.
  const options: LoadOptions = {
    author: await principalOfUser(ctx, 'analyst'),
    coAuthorAgencyIds: [],
    approvers: [await principalOfUser(ctx, 'analyst2')],
  };
  await loadLibrary(ctx, await readLibrary(), options);
  await loadLibrary(ctx, DEMO_PARTNER_INDICATORS, options);
  return { seeded: true };
}

/**
 * First start of a real install: when there are no indicators yet, the library is loaded as
 * drafts submitted for approval to the customs agency (owner) and every environmental agency of
 * the administration (co-authors), created on the first administrator's account. Nothing is
 * active until authorised users of each agency approve it. Returns null when there is nobody to
 * act for yet (run `greenlane admin create` first) or indicators exist.
 */
export async function loadLibraryOnFirstStart(ctx: AppContext): Promise<LoadReport | null> {
  const read = ctx.storage.read;
  if ((await read.indicators.listLatest()).length > 0) return null;
  const author = await libraryAuthor(ctx);
  if (!author) return null;
  return loadLibrary(ctx, await readLibrary(), author);
}

/** Who a library load acts as: the customs agency, on the first administrator's account. */
export async function libraryAuthor(
  ctx: AppContext,
  options: { asUsername?: string; coAuthorCodes?: string[] } = {},
): Promise<LoadOptions | null> {
  const read = ctx.storage.read;
  if (options.asUsername !== undefined) {
    const author = await principalOfUser(ctx, options.asUsername);
    return { author, coAuthorAgencyIds: await coAuthorIds(ctx, author, options.coAuthorCodes) };
  }
  const administration = (await read.identity.listAdministrations())[0];
  if (!administration) return null;
  const customs = await read.identity.findCustomsAgency(administration.id);
  const admin = customs && (await firstAdmin(ctx, customs.id));
  if (!customs || !admin) return null;
  const author: Principal = {
    ...admin,
    // The library is customs method information: it is authored for the customs agency.
    roles: ['risk_analyst'],
  };
  return { author, coAuthorAgencyIds: await coAuthorIds(ctx, author, options.coAuthorCodes) };
}

async function firstAdmin(ctx: AppContext, agencyId: string): Promise<Principal | undefined> {
  const users = await ctx.storage.read.identity.listUsers(agencyId);
  const admin = users.find((u) => u.roles.includes('admin'));
  return admin && principalOfUser(ctx, admin.username);
}

async function coAuthorIds(
  ctx: AppContext,
  author: Principal,
  codes: string[] | undefined,
): Promise<string[]> {
  const agencies = await ctx.storage.read.identity.listAgencies(author.administrationId);
  if (codes === undefined) {
    return agencies.filter((a) => a.kind === 'environment').map((a) => a.id);
  }
  return codes.map((code) => {
    const agency = agencies.find((a) => a.code === code);
    if (!agency) throw new DomainError('invalid_input', `no agency with code '${code}'`);
    return agency.id;
  });
}
