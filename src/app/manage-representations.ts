import { canAdminister } from '../core/auth/access.js';
import {
  REPRESENTATION_MODES,
  representsOn,
  type Principal,
  type Representation,
  type RepresentationMode,
} from '../core/auth/identity.js';
import type { DeclarationContent } from '../core/declaration/declaration.js';
import { DomainError } from '../core/errors.js';
import type { Repositories } from '../core/ports.js';
import type { AppContext } from './context.js';

/**
 * Identity of parties. A trader organisation lodges as itself: the declarant of record is the
 * authenticated organisation, unless an administrator registered it as customs representative of
 * the trader it names. Otherwise trader B could name trader A as declarant, and the release would
 * draw on A's permits, A's certificates would lower B's score and B's findings land on A's record.
 */

/**
 * The content with its declarant of record, for a lodging (or amendment) by `principal` at `at`:
 * a trader's own EORI fills an absent declarant id; another's is refused (403 naming
 * /declarant/id) unless a live representation covers it. Customs staff lodge as before.
 */
export async function declarantOfRecord(
  read: Repositories,
  principal: Principal,
  content: DeclarationContent,
  at: string,
  field = '/declarant/id',
): Promise<DeclarationContent> {
  if (principal.agencyKind !== 'trader') return content;
  const own = principal.traderId;
  const named = content.declarant.id;
  if (named === undefined) {
    return own === null ? content : { ...content, declarant: { ...content.declarant, id: own } };
  }
  if (named === own) return content;
  const registrations = await read.identity.listRepresentations({
    representativeAgencyId: principal.agencyId,
    traderId: named,
  });
  if (registrations.some((r) => representsOn(r, at))) return content;
  throw new DomainError(
    'forbidden',
    `your organisation (${own ?? 'no EORI'}) may not lodge as ${named}: it is not registered as its customs representative`,
    [
      {
        path: field,
        reason: `must be your organisation's EORI${own ? ` (${own})` : ''} or that of a trader you are registered to represent`,
      },
    ],
  );
}

/**
 * Simplified declarations skip HS screening: only an organisation authorised for simplified
 * procedures lodges them (403 naming /simplified). Customs staff are not restricted.
 */
export async function checkSimplified(
  read: Repositories,
  principal: Principal,
  content: Pick<DeclarationContent, 'simplified'>,
): Promise<void> {
  if (content.simplified !== true || principal.agencyKind !== 'trader') return;
  const agency = await read.identity.findAgency(principal.agencyId);
  if (agency?.simplifiedProcedures === true) return;
  throw new DomainError(
    'forbidden',
    'your organisation is not authorised to lodge simplified declarations',
    [{ path: '/simplified', reason: 'requires an authorisation for simplified procedures' }],
  );
}

export interface RepresentationInput {
  representativeAgencyId: string;
  traderId: string;
  mode: RepresentationMode;
  validFrom?: string;
  validTo?: string | null;
}

/** An administrator registers that an organisation of their administration may lodge for a trader. */
export async function registerRepresentation(
  ctx: AppContext,
  principal: Principal,
  input: RepresentationInput,
): Promise<Representation> {
  requireAdmin(principal);
  const at = ctx.clock.now().toISOString();
  await traderAgencyOf(ctx.storage.read, principal, input.representativeAgencyId);
  const validFrom = input.validFrom === undefined ? at : new Date(input.validFrom).toISOString();
  const validTo =
    input.validTo === undefined || input.validTo === null
      ? null
      : new Date(input.validTo).toISOString();
  const issues = [];
  if (!REPRESENTATION_MODES.includes(input.mode))
    issues.push({ path: '/mode', reason: `one of ${REPRESENTATION_MODES.join(', ')}` });
  if (!/^[A-Z0-9]{2,35}$/.test(input.traderId))
    issues.push({ path: '/traderId', reason: 'an EORI or trader number (A–Z, 0–9)' });
  if (validTo !== null && validTo <= validFrom)
    issues.push({ path: '/validTo', reason: 'must be after validFrom' });
  if (issues.length > 0) throw new DomainError('invalid_input', 'invalid representation', issues);
  const r: Representation = {
    id: ctx.ids.next(),
    representativeAgencyId: input.representativeAgencyId,
    traderId: input.traderId,
    mode: input.mode,
    validFrom,
    validTo,
    createdAt: at,
    createdBy: principal.userId,
    revokedAt: null,
    revokedBy: null,
  };
  await ctx.storage.write(async (tx) => {
    await tx.identity.insertRepresentation(r);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'representation.registered',
      subjectType: 'agency',
      subjectId: r.representativeAgencyId,
      details: { representation: r.id, traderId: r.traderId, mode: r.mode, validFrom, validTo },
    });
  });
  return r;
}

/** An administrator revokes a representation; it no longer covers lodgings from now on. */
export async function revokeRepresentation(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<Representation> {
  requireAdmin(principal);
  const r = await ctx.storage.read.identity.findRepresentation(id);
  if (!r) throw new DomainError('not_found', `no representation ${id}`);
  await traderAgencyOf(ctx.storage.read, principal, r.representativeAgencyId);
  const at = ctx.clock.now().toISOString();
  const done = await ctx.storage.write(async (tx) => {
    if (!(await tx.identity.revokeRepresentation(id, at, principal.userId))) return false;
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'representation.revoked',
      subjectType: 'agency',
      subjectId: r.representativeAgencyId,
      details: { representation: id, traderId: r.traderId },
    });
    return true;
  });
  if (!done) throw new DomainError('conflict', `representation ${id} was revoked already`);
  return { ...r, revokedAt: at, revokedBy: principal.userId };
}

/** Representations registered for organisations of the administrator's administration. */
export async function listRepresentations(
  ctx: AppContext,
  principal: Principal,
  filter: { representativeAgencyId?: string; traderId?: string },
): Promise<Representation[]> {
  requireAdmin(principal);
  const read = ctx.storage.read;
  const mine = new Set(
    (await read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  return (await read.identity.listRepresentations(filter)).filter((r) =>
    mine.has(r.representativeAgencyId),
  );
}

/** An administrator grants or withdraws an organisation's authorisation for simplified declarations. */
export async function setSimplifiedProcedures(
  ctx: AppContext,
  principal: Principal,
  agencyId: string,
  authorised: boolean,
): Promise<{ agencyId: string; simplifiedProcedures: boolean }> {
  requireAdmin(principal);
  await traderAgencyOf(ctx.storage.read, principal, agencyId);
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    await tx.identity.setSimplifiedProcedures(agencyId, authorised);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: authorised ? 'simplified-procedures.granted' : 'simplified-procedures.withdrawn',
      subjectType: 'agency',
      subjectId: agencyId,
      details: {},
    });
  });
  return { agencyId, simplifiedProcedures: authorised };
}

function requireAdmin(principal: Principal): void {
  if (!canAdminister(principal))
    throw new DomainError('forbidden', 'only administrators manage representations');
}

async function traderAgencyOf(read: Repositories, principal: Principal, agencyId: string) {
  const agency = await read.identity.findAgency(agencyId);
  if (!agency || agency.administrationId !== principal.administrationId) {
    throw new DomainError('not_found', `no organisation ${agencyId} in your administration`);
  }
  if (agency.kind !== 'trader') {
    throw new DomainError('invalid_input', `${agency.code} is not a trading organisation`, [
      { path: '/representativeAgencyId', reason: 'must be a trader organisation' },
    ]);
  }
  return agency;
}
