import type { Principal } from '../core/auth/identity.js';
import { assertAllowed, can } from '../core/auth/policy.js';
import type {
  Agreement,
  MessageFilter,
  Partner,
  PartnerKey,
  StoredContact,
  StoredMessage,
} from '../core/exchange/agreements.js';
import { agreementFor } from '../core/exchange/agreements.js';
import { riskShareBody } from '../core/exchange/boundary.js';
import { canonicalBytes, isCanonical } from '../core/exchange/canonical-json.js';
import {
  ContactSchema,
  DirectoryUpdateBody,
  MESSAGE_TYPES,
  NODE_MESSAGE_TYPES,
  type BodyOf,
  type MessageType,
} from '../core/exchange/messages.js';
import { NODE_ID_PATTERN, type PublishedKey } from '../core/exchange/ports.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import { schemaIssues } from '../core/schema-issues.js';
import { Compile } from 'typebox/compile';
import type { AppContext } from './context.js';
import { exchangeOf, nodeRecord, sendMessage, type ExchangeRuntime } from './exchange.js';
import { saveIndicator, saveReferenceList } from './manage-indicators.js';
import { assertMayEdit } from '../core/risk/workflow.js';
import { indicatorFromIprReport } from '../core/ipr/cooperation.js';

const contactCheck = Compile(ContactSchema);
const entryCheck = Compile(DirectoryUpdateBody);

export interface PartnerInput {
  id: string;
  name: string;
  httpEndpoint?: string | null;
  nats?: boolean;
  /** Keys the administrator confirmed out of band (e.g. the thumbprint read over the phone). */
  keys?: Array<Omit<PublishedKey, 'kid'> & { kid?: string }>;
}

function invalid(message: string, issues: FieldIssue[]): never {
  throw new DomainError('invalid_input', message, issues);
}

function checkEndpoint(url: string | null | undefined, path: string): string | null {
  if (url === undefined || url === null || url === '') return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return invalid('the endpoint is not a URL', [{ path, reason: 'an http(s) URL' }]);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    invalid('the endpoint must be http(s)', [{ path, reason: 'an http(s) URL' }]);
  if (u.username || u.password || u.search || u.hash)
    invalid('the endpoint carries no credentials, query or fragment', [
      { path, reason: 'a base URL' },
    ]);
  return u.toString().replace(/\/$/, '');
}

/** Registers (or updates) a partner administration; the keys given are trusted as confirmed. */
export async function registerPartner(
  ctx: AppContext,
  principal: Principal,
  input: PartnerInput,
): Promise<Partner> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  if (!NODE_ID_PATTERN.test(input.id))
    invalid('not a node id', [{ path: '/id', reason: 'country/code, e.g. KZ/KGD' }]);
  if (input.id === rt.nodeId)
    invalid('this node is not its own partner', [{ path: '/id', reason: 'this node' }]);
  if (!input.name || input.name.length > 200)
    invalid('a name is required', [{ path: '/name', reason: '1 to 200 characters' }]);
  const httpEndpoint = checkEndpoint(input.httpEndpoint, '/httpEndpoint');
  const keys: PublishedKey[] = [];
  for (const [i, k] of (input.keys ?? []).entries()) {
    if (k.jwk?.kty !== 'OKP' || k.jwk.crv !== 'Ed25519' || typeof k.jwk.x !== 'string')
      invalid('an Ed25519 public key is expected', [
        { path: `/keys/${i}/jwk`, reason: 'OKP Ed25519' },
      ]);
    const kid = await rt.kidOf({ kty: 'OKP', crv: 'Ed25519', x: k.jwk.x });
    if (k.kid !== undefined && k.kid !== kid)
      invalid('the key does not have the thumbprint given', [
        { path: `/keys/${i}/kid`, reason: `the RFC 7638 thumbprint of the key is ${kid}` },
      ]);
    keys.push({
      kid,
      jwk: { kty: 'OKP', crv: 'Ed25519', x: k.jwk.x },
      validFrom: k.validFrom,
      validTo: k.validTo ?? null,
    });
  }
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const previous = await tx.exchange.findPartner(input.id);
    const partner: Partner = {
      id: input.id,
      name: input.name,
      country: input.id.slice(0, 2),
      httpEndpoint,
      nats: input.nats ?? false,
      status: previous?.status ?? 'active',
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
    };
    await tx.exchange.upsertPartner(partner);
    for (const k of keys) {
      await tx.exchange.putKey({
        ...k,
        partnerId: partner.id,
        trustedBy: `administrator:${principal.userId}`,
        addedAt: at,
      });
    }
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: previous ? 'partner.updated' : 'partner.registered',
      subjectType: 'partner',
      subjectId: partner.id,
      details: {
        name: partner.name,
        httpEndpoint,
        nats: partner.nats,
        keys: keys.map((k) => k.kid),
      },
    });
    return partner;
  });
}

export interface AgreementInput {
  partnerId: string;
  title: string;
  legalBasis: string;
  messageTypes: string[];
  nominal?: boolean;
  validFrom: string;
  validTo?: string | null;
}

/** Records an agreement in force with a partner: which message types, whether nominal data. */
export async function recordAgreement(
  ctx: AppContext,
  principal: Principal,
  input: AgreementInput,
): Promise<Agreement> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  const issues: FieldIssue[] = [];
  if (!input.title || input.title.length > 300)
    issues.push({ path: '/title', reason: '1 to 300 characters' });
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(input.legalBasis ?? ''))
    issues.push({ path: '/legalBasis', reason: 'a short code: letters, digits, . _ -' });
  const types = input.messageTypes ?? [];
  if (types.length === 0) issues.push({ path: '/messageTypes', reason: 'at least one type' });
  types.forEach((t, i) => {
    if (!(MESSAGE_TYPES as readonly string[]).includes(t))
      issues.push({ path: `/messageTypes/${i}`, reason: `one of ${MESSAGE_TYPES.join(', ')}` });
  });
  if (Number.isNaN(Date.parse(input.validFrom ?? '')))
    issues.push({ path: '/validFrom', reason: 'a date-time' });
  if (input.validTo && !(Date.parse(input.validTo) > Date.parse(input.validFrom)))
    issues.push({ path: '/validTo', reason: 'after validFrom' });
  if (issues.length > 0) invalid('the agreement is not valid', issues);
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    if (!(await tx.exchange.findPartner(input.partnerId)))
      throw new DomainError('not_found', `no partner ${input.partnerId}`);
    const a: Agreement = {
      id: ctx.ids.next(),
      partnerId: input.partnerId,
      title: input.title,
      legalBasis: input.legalBasis,
      messageTypes: [...new Set(types)] as MessageType[],
      nominal: input.nominal ?? false,
      validFrom: new Date(input.validFrom).toISOString(),
      validTo: input.validTo ? new Date(input.validTo).toISOString() : null,
      createdAt: at,
      createdBy: principal.userId,
    };
    await tx.exchange.insertAgreement(a);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'agreement.recorded',
      subjectType: 'agreement',
      subjectId: a.id,
      details: {
        partnerId: a.partnerId,
        legalBasis: a.legalBasis,
        messageTypes: a.messageTypes,
        nominal: a.nominal,
      },
    });
    return a;
  });
}

export interface PartnerView extends Partner {
  keys: PartnerKey[];
  agreements: Agreement[];
}

export async function listPartners(ctx: AppContext, principal: Principal): Promise<PartnerView[]> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'read', 'partner-directory', nodeRecord(rt));
  const read = ctx.storage.read.exchange;
  const partners = await read.listPartners();
  const agreements = await read.agreements();
  return Promise.all(
    partners.map(async (p) => ({
      ...p,
      keys: await read.keysOf(p.id),
      agreements: agreements.filter((a) => a.partnerId === p.id),
    })),
  );
}

/** Own and partners' liaison contacts, by country and priority area. */
export async function searchContacts(
  ctx: AppContext,
  principal: Principal,
  filter: { country?: string; area?: string; nodeId?: string },
): Promise<StoredContact[]> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'read', 'partner-directory', nodeRecord(rt));
  return ctx.storage.read.exchange.contacts(filter);
}

/** Adds or changes one of this node's own liaison contacts (published with the next update). */
export async function putOwnContact(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<StoredContact> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'author', 'partner-directory', nodeRecord(rt));
  if (!contactCheck.Check(input))
    invalid('the contact is not valid', schemaIssues(contactCheck, input, 'a contact'));
  const c: StoredContact = {
    ...input,
    nodeId: rt.nodeId,
    updatedAt: ctx.clock.now().toISOString(),
  };
  await ctx.storage.write(async (tx) => {
    await tx.exchange.putContact(c);
    await tx.audit.append({
      at: c.updatedAt,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'liaison-contact.updated',
      subjectType: 'liaison-contact',
      subjectId: c.id,
      details: { name: c.name, agency: c.agency },
    });
  });
  return c;
}

export async function removeOwnContact(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<void> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'author', 'partner-directory', nodeRecord(rt));
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    if (!(await tx.exchange.deleteContact(rt.nodeId, id)))
      throw new DomainError('not_found', `no contact ${id}`);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'liaison-contact.removed',
      subjectType: 'liaison-contact',
      subjectId: id,
      details: {},
    });
  });
}

/** This node's directory entry: what partners learn of it (never a private key). */
export async function ownEntry(ctx: AppContext): Promise<BodyOf['directory.update']> {
  const rt = exchangeOf(ctx);
  const node = await ctx.storage.read.exchange.node();
  const contacts = await ctx.storage.read.exchange.contacts({ nodeId: rt.nodeId });
  return {
    administration: { id: rt.nodeId, name: rt.name, country: rt.nodeId.slice(0, 2) },
    endpoints: { http: node?.httpEndpoint ?? null, nats: rt.transports.nats !== undefined },
    keys: rt.signer.publicKeys(),
    contacts: contacts.map(({ nodeId: _n, updatedAt: _u, ...c }) => c),
  };
}

/** The entry as a self-signed document (compact JWS), for a partner's first contact. */
export async function signedOwnEntry(ctx: AppContext): Promise<string> {
  const rt = exchangeOf(ctx);
  return rt.signer.sign(canonicalBytes(await ownEntry(ctx)), ctx.clock.now());
}

/**
 * Registers a partner from its self-signed directory entry. The signature proves only that the
 * entry is whole; trust comes from the administrator, who confirms the key's thumbprint (`kid`)
 * through another channel.
 */
export async function importPartnerEntry(
  ctx: AppContext,
  principal: Principal,
  entryJws: string,
  confirmedKid: string,
): Promise<Partner> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  let body: BodyOf['directory.update'];
  try {
    const decoded = rt.jws.decode(entryJws);
    if (!isCanonical(decoded.payload)) throw new Error('not canonical');
    const parsed: unknown = JSON.parse(new TextDecoder().decode(decoded.payload));
    if (!entryCheck.Check(parsed)) throw new Error('not a directory entry');
    body = parsed;
    const key = body.keys.find((k) => k.kid === decoded.header.kid && k.kid === confirmedKid);
    if (!key) throw new Error('not signed with the confirmed key');
    if ((await rt.kidOf(key.jwk)) !== key.kid)
      throw new Error('kid is not the thumbprint of its key');
    await rt.jws.verify(entryJws, key.jwk);
  } catch (error) {
    return invalid('the directory entry cannot be accepted', [
      { path: '/entry', reason: error instanceof Error ? error.message : 'invalid' },
    ]);
  }
  const partner = await registerPartner(ctx, principal, {
    id: body.administration.id,
    name: body.administration.name,
    httpEndpoint: body.endpoints.http,
    nats: body.endpoints.nats,
    keys: body.keys.filter((k) => k.kid === confirmedKid),
  });
  await ctx.storage.write(async (tx) => {
    // The rest of the entry's keys come with the same signed document.
    for (const k of body.keys.filter((k) => k.kid !== confirmedKid))
      await tx.exchange.putKey({
        ...k,
        partnerId: partner.id,
        trustedBy: `entry-of:${confirmedKid}`,
        addedAt: partner.updatedAt,
      });
    await tx.exchange.replaceContacts(
      partner.id,
      body.contacts.map((c) => ({ ...c, nodeId: partner.id, updatedAt: partner.updatedAt })),
    );
  });
  return partner;
}

/** Sends this node's directory entry (keys and contacts) to every active partner. */
export async function publishDirectory(
  ctx: AppContext,
  principal: Principal,
): Promise<StoredMessage[]> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'author', 'partner-directory', nodeRecord(rt));
  // Every active partner with an agreement in force (the channel itself needs one).
  const at = ctx.clock.now().toISOString();
  const agreements = await ctx.storage.read.exchange.agreements();
  const partners = (await ctx.storage.read.exchange.listPartners()).filter(
    (p) =>
      p.status === 'active' &&
      agreementFor(agreements, p.id, 'directory.update', 'non-nominal', at) !== undefined,
  );
  if (partners.length === 0) return [];
  return sendMessage(
    ctx,
    principal,
    {
      type: 'directory.update',
      body: await ownEntry(ctx),
      sharing: 'shareable',
      to: partners.map((p) => p.id),
    },
    { as: 'author' },
  );
}

/**
 * What a principal reads of the messages: customs staff of the exchange all of them; staff of the
 * other agencies only their own agency's messages with the others (never the partners').
 */
function messageScope(rt: ExchangeRuntime, principal: Principal): { agencyId?: string } {
  if (can(principal, 'read', 'exchange-message', nodeRecord(rt))) return {};
  assertAllowed(principal, 'read', 'agency-message', nodeRecord(rt));
  return { agencyId: principal.agencyId };
}

/**
 * Messages in and out, newest first; `conversation` gives a whole thread. The node's own ledger
 * messages (checkpoints to witnesses and their answers) are left out unless their type is asked.
 */
export async function listMessages(
  ctx: AppContext,
  principal: Principal,
  filter: MessageFilter,
): Promise<StoredMessage[]> {
  const rt = exchangeOf(ctx);
  return ctx.storage.read.exchange.listMessages({
    ...(filter.type === undefined ? { excludeTypes: [...NODE_MESSAGE_TYPES] } : {}),
    ...filter,
    ...messageScope(rt, principal),
    limit: Math.min(filter.limit, 500),
  });
}

export async function getMessage(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<StoredMessage> {
  const rt = exchangeOf(ctx);
  const scope = messageScope(rt, principal);
  // Between agencies of the node one id has two rows: the one of the principal's agency first.
  const rows = await ctx.storage.read.exchange.listMessages({ id, ...scope, limit: 2 });
  const m =
    rows.find((r) => r.agencyId === principal.agencyId) ??
    rows.find((r) => r.direction === 'out') ??
    rows[0];
  if (!m) throw new DomainError('not_found', `no message ${id}`);
  return m;
}

/** Shares the shareable active indicators and lists (all, or those named) with partners. */
export async function shareRiskInformation(
  ctx: AppContext,
  principal: Principal,
  input: { to: string[]; indicatorIds?: string[]; note?: string },
): Promise<StoredMessage[]> {
  const strings = (v: unknown, max: number) =>
    Array.isArray(v) &&
    v.length <= max &&
    v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 64);
  const issues: FieldIssue[] = [];
  if (!strings(input.to, 50) || input.to.length === 0)
    issues.push({ path: '/to', reason: 'a list of 1 to 50 partner node ids' });
  if (input.indicatorIds !== undefined && !strings(input.indicatorIds, 500))
    issues.push({ path: '/indicatorIds', reason: 'a list of up to 500 indicator ids' });
  if (input.note !== undefined && (typeof input.note !== 'string' || input.note.length > 2000))
    issues.push({ path: '/note', reason: 'text of up to 2,000 characters' });
  if (issues.length > 0) invalid('the request is not valid', issues);
  const read = ctx.storage.read;
  const indicators = (await read.indicators.listActive()).filter(
    (i) => input.indicatorIds === undefined || input.indicatorIds.includes(i.id),
  );
  if (
    input.indicatorIds?.some(
      (id) => !indicators.find((i) => i.id === id && i.sharing === 'shareable'),
    )
  )
    invalid('only active shareable indicators can be shared', [
      { path: '/indicatorIds', reason: 'national or unknown indicators never leave the node' },
    ]);
  const used = new Set(
    indicators.flatMap((i) =>
      [...i.condition.matchAll(/["']([a-z0-9][a-z0-9-]*)["']/g)].map((m) => m[1]!),
    ),
  );
  const lists = (await read.referenceLists.listActive()).filter((l) => used.has(l.name));
  const body = riskShareBody(indicators, lists, input.note);
  if (body.indicators.length === 0)
    invalid('nothing shareable to send', [
      { path: '/indicatorIds', reason: 'no active shareable indicator' },
    ]);
  return sendMessage(ctx, principal, {
    type: 'risk.share',
    body,
    sharing: 'shareable',
    to: input.to,
  });
}

export interface AdoptionResult {
  adopted: Array<{ sharedId: string; indicatorId: string; version: number }>;
  lists: Array<{ name: string; adopted: boolean; reason?: string }>;
  failed: Array<{ sharedId: string; issues: readonly FieldIssue[] }>;
}

/**
 * Takes shared risk information received from a partner into this node as drafts: nothing screens
 * until this node's own agencies approve it (four eyes and joint approval as for any indicator).
 */
export async function adoptSharedRiskInformation(
  ctx: AppContext,
  principal: Principal,
  messageId: string,
): Promise<AdoptionResult> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'read', 'exchange-message', nodeRecord(rt));
  // Adopting writes drafts: only those who may author indicators adopt.
  assertMayEdit(principal);
  const m = await ctx.storage.read.exchange.messageById(messageId);
  if (!m || m.direction !== 'in' || (m.type !== 'risk.share' && m.type !== 'ipr.report'))
    throw new DomainError('not_found', `no shared risk information ${messageId}`);
  if (m.adoptedAt !== null) throw new DomainError('conflict', `adopted already at ${m.adoptedAt}`);
  const result: AdoptionResult = { adopted: [], lists: [], failed: [] };
  // A partner's IPR report seeds one draft indicator on its marks and HS headings.
  const body: BodyOf['risk.share'] =
    m.type === 'risk.share' ? (m.body as BodyOf['risk.share']) : { indicators: [], lists: [] };
  if (m.type === 'ipr.report') {
    try {
      const saved = await saveIndicator(
        ctx,
        principal,
        undefined,
        indicatorFromIprReport(m.from, m.id, m.body as BodyOf['ipr.report']),
      );
      result.adopted.push({ sharedId: m.id, indicatorId: saved.id, version: saved.version });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      result.failed.push({
        sharedId: m.id,
        issues: error.issues.length ? error.issues : [{ path: '/', reason: error.message }],
      });
    }
  }
  for (const l of body.lists) {
    if (await ctx.storage.read.referenceLists.latest(l.name)) {
      result.lists.push({
        name: l.name,
        adopted: false,
        reason: 'a list of this name exists here',
      });
      continue;
    }
    try {
      await saveReferenceList(ctx, principal, {
        name: l.name,
        kind: l.kind as 'values',
        title: l.title,
        entries: l.entries,
        source: `shared by ${m.from} (message ${m.id})`,
        sharing: 'national',
      });
      result.lists.push({ name: l.name, adopted: true });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      result.lists.push({ name: l.name, adopted: false, reason: error.message });
    }
  }
  for (const i of body.indicators) {
    try {
      const saved = await saveIndicator(ctx, principal, undefined, {
        title: `${i.title} (from ${m.from})`.slice(0, 200),
        priorityArea: i.priorityArea,
        condition: i.condition,
        weight: i.weight,
        directChannel: i.directChannel,
        controlForm: i.controlForm,
        rationale: i.rationale,
        validFrom: i.validFrom,
        validTo: i.validTo,
        sharing: 'national',
        expectedDocuments: i.expectedDocuments,
        sources: [...i.sources, `shared by ${m.from}: ${i.id} v${i.version}`].slice(0, 20),
      });
      result.adopted.push({ sharedId: i.id, indicatorId: saved.id, version: saved.version });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      result.failed.push({
        sharedId: i.id,
        issues: error.issues.length ? error.issues : [{ path: '/', reason: error.message }],
      });
    }
  }
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write(async (tx) => {
    await tx.exchange.markAdopted(m.from, m.id, at);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'exchange.adopted',
      subjectType: 'exchange-message',
      subjectId: m.id,
      details: {
        from: m.from,
        adopted: result.adopted.map((a) => a.indicatorId),
        failed: result.failed.length,
      },
    });
  });
  return result;
}

/**
 * Rotates this node's signing key: the new key signs from now on, the old one stays valid for
 * `overlapHours`, and the directory entry with both goes to every partner signed with the old key
 * (which they trust), so that they accept the new key without an administrator's confirmation.
 */
export async function rotateNodeKey(
  ctx: AppContext,
  principal: Principal,
  overlapHours: number,
): Promise<{ key: PublishedKey; published: StoredMessage[] }> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  if (!Number.isFinite(overlapHours) || overlapHours < 1 || overlapHours > 24 * 90)
    invalid('the overlap is 1 hour to 90 days', [{ path: '/overlapHours', reason: '1 to 2160' }]);
  if (!rt.signer.rotate) throw new DomainError('conflict', 'the node keys cannot be rotated here');
  const key = await rt.signer.rotate(ctx.clock.now(), overlapHours);
  const at = ctx.clock.now().toISOString();
  await ctx.storage.write((tx) =>
    tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'node.key-rotated',
      subjectType: 'exchange-node',
      subjectId: rt.nodeId,
      details: { kid: key.kid, overlapHours },
    }),
  );
  return { key, published: await publishDirectory(ctx, principal) };
}

/** What every decision on a partner names: the partner and the reason. */
function partnerDecisionIssues(input: { partnerId: unknown; reason: unknown }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (typeof input.partnerId !== 'string' || !NODE_ID_PATTERN.test(input.partnerId))
    issues.push({ path: '/partnerId', reason: 'a partner node id, e.g. KZ/KGD' });
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 3 || reason.length > 2000)
    issues.push({ path: '/reason', reason: 'why, in 3 to 2,000 characters' });
  return issues;
}

/**
 * Suspends a partner (nothing is sent to it, everything from it is refused; queued messages wait)
 * or reinstates it.
 */
export async function setPartnerStatus(
  ctx: AppContext,
  principal: Principal,
  input: { partnerId: unknown; status: unknown; reason: unknown },
): Promise<Partner> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  const issues = partnerDecisionIssues(input);
  if (input.status !== 'active' && input.status !== 'suspended')
    issues.push({ path: '/status', reason: 'active or suspended' });
  if (issues.length > 0) invalid('the change is not valid', issues);
  const id = input.partnerId as string;
  const status = input.status as Partner['status'];
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const partner = await tx.exchange.findPartner(id);
    if (!partner) throw new DomainError('not_found', `no partner ${id}`);
    if (partner.status === status) throw new DomainError('conflict', `${id} is ${status} already`);
    await tx.exchange.setPartnerStatus(id, status, at);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: status === 'suspended' ? 'partner.suspended' : 'partner.reinstated',
      subjectType: 'partner',
      subjectId: id,
      details: { reason: input.reason },
    });
    return { ...partner, status, updatedAt: at };
  });
}

/**
 * Revokes a partner's key for good (e.g. when the partner reports it compromised): nothing
 * signed with it is accepted any more, whatever its date, and no directory update restores it.
 */
export async function revokePartnerKey(
  ctx: AppContext,
  principal: Principal,
  input: { partnerId: unknown; kid: unknown; reason: unknown },
): Promise<PartnerKey> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'administer', 'partner-directory', nodeRecord(rt));
  const issues = partnerDecisionIssues(input);
  if (typeof input.kid !== 'string' || !/^[A-Za-z0-9_-]{20,64}$/.test(input.kid))
    issues.push({ path: '/kid', reason: 'the key thumbprint' });
  if (issues.length > 0) invalid('the revocation is not valid', issues);
  const partnerId = input.partnerId as string;
  const kid = input.kid as string;
  const at = ctx.clock.now().toISOString();
  return ctx.storage.write(async (tx) => {
    const key = await tx.exchange.findKey(partnerId, kid);
    if (!key) throw new DomainError('not_found', `no key ${kid} of ${partnerId}`);
    if (!(await tx.exchange.revokeKey(partnerId, kid, at, principal.userId)))
      throw new DomainError('conflict', `key ${kid} is revoked already`);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'partner.key-revoked',
      subjectType: 'partner',
      subjectId: partnerId,
      details: { kid, reason: input.reason },
    });
    return { ...key, revokedAt: at };
  });
}
