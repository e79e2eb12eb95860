import { readFile } from 'node:fs/promises';
import type { Principal } from '../core/auth/identity.js';
import { assertAllowed } from '../core/auth/policy.js';
import { DomainError } from '../core/errors.js';
import type { Repositories, RulePackProposal, StoredRulePack } from '../core/ports.js';
import { loadRulePack, type RulePack, type RulePackDocument } from '../core/rules/rule-pack.js';
import type { AppContext } from './context.js';
import { LIBRARY_DIR } from './library.js';

/**
 * The rule packs GreenLane ships, by name: used until a version is loaded over them. No prototype:
 * a pack named `constructor` or `__proto__` in a path is not found, not Object's own.
 */
export const SHIPPED_RULE_PACKS: Readonly<Record<string, URL>> = Object.assign(
  Object.create(null) as Record<string, URL>,
  { 'hmrc-ens-ie315': new URL('rules/ens-ie315.json', LIBRARY_DIR) },
);

/** The pack cargo reports are checked with. */
export const ENS_PACK = 'hmrc-ens-ie315';

export interface RulePackInUse {
  pack: RulePack;
  /** 0 for the shipped file, else the loaded version's sequence number. */
  seq: number;
  loadedAt: string | null;
  loadedBy: string | null;
}

const shipped = new Map<string, Promise<RulePack>>();
// Compiled once per loaded version: compiling 200 assertions takes tens of milliseconds.
const compiled = new Map<string, RulePack>();

/**
 * The pack in force: the newest version loaded into the database, else the shipped file. A
 * version loaded by another process is picked up at the next message (one indexed read).
 */
export async function rulePackInUse(ctx: AppContext, name: string): Promise<RulePackInUse> {
  const stored = await ctx.storage.read.rulePacks.latest(name);
  if (stored) {
    const key = cacheKey(stored);
    let pack = compiled.get(key);
    if (!pack) {
      pack = loadRulePack(stored.document);
      compiled.set(key, pack);
    }
    return { pack, seq: stored.seq, loadedAt: stored.loadedAt, loadedBy: stored.loadedBy };
  }
  return { pack: await shippedPack(name), seq: 0, loadedAt: null, loadedBy: null };
}

/** One loaded version (several databases may share a process: tests, tools). */
function cacheKey(p: StoredRulePack): string {
  return `${p.name}#${p.seq}#${p.version}#${p.loadedAt}`;
}

/** The shipped file of a pack, loaded (and so checked) once per process. */
function shippedPack(name: string): Promise<RulePack> {
  const file = SHIPPED_RULE_PACKS[name];
  if (!file) return Promise.reject(new DomainError('not_found', `no rule pack ${name}`));
  let pack = shipped.get(name);
  if (!pack) {
    pack = readFile(file, 'utf8').then((text) => loadRulePack(text));
    shipped.set(name, pack);
    pack.catch(() => shipped.delete(name));
  }
  return pack;
}

/** A proposal as the API shows it: the document is read separately. */
export interface RulePackProposalView extends Omit<RulePackProposal, 'document'> {
  rules: number;
  assertions: number;
}

/** Customs risk analysts and administrators propose; only customs staff read proposals. */
function assertProposer(principal: Principal): void {
  assertAllowed(principal, 'replace', 'rule-pack');
}

function assertCustomsReader(principal: Principal): void {
  assertAllowed(principal, 'read', 'rule-pack');
}

function assertKnownPack(name: string): void {
  if (!SHIPPED_RULE_PACKS[name]) throw new DomainError('not_found', `no rule pack ${name}`);
}

/**
 * Proposes a new version of a rule pack. Every assertion is compiled first and a bad one refuses
 * the whole pack, naming the rule, the assertion and the error; the version label must be new for
 * that pack, and one proposal at a time is pending per pack. Nothing changes until a second
 * customs risk analyst approves it (`approveRulePackProposal`): one person alone can neither
 * weaken nor switch off the checks cargo reports go through.
 */
export async function proposeRulePack(
  ctx: AppContext,
  principal: Principal,
  name: string,
  document: unknown,
  comment = '',
): Promise<RulePackProposalView> {
  assertProposer(principal);
  assertKnownPack(name);
  const pack = loadRulePack(document);
  if (pack.name !== name) {
    throw new DomainError('invalid_input', `the pack is named ${pack.name}, not ${name}`, [
      { path: '/name', reason: `must be ${name}` },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const shippedVersion = (await shippedPack(name)).version;
  const proposal = await ctx.storage.write(async (tx): Promise<RulePackProposal> => {
    const versions = await tx.rulePacks.versions(name);
    assertNewVersion(name, pack.version, shippedVersion, versions);
    const [pending] = await tx.rulePacks.proposals(name, 'pending');
    if (pending) {
      throw new DomainError(
        'conflict',
        `proposal ${pending.id} (version ${pending.version}) of ${name} is pending: approve or reject it first`,
      );
    }
    const row: RulePackProposal = {
      id: ctx.ids.next(),
      name,
      version: pack.version,
      document: JSON.stringify(pack.document),
      proposedAt: at,
      proposedBy: principal.userId,
      proposerAgencyId: principal.agencyId,
      comment,
      status: 'pending',
      decidedAt: null,
      decidedBy: null,
      reason: null,
      seq: null,
    };
    await tx.rulePacks.insertProposal(row);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'rule-pack.proposed',
      subjectType: 'rule-pack',
      subjectId: name,
      details: {
        proposalId: row.id,
        version: pack.version,
        rules: pack.rules.length,
        replaces: versions[0]?.version ?? shippedVersion,
        proposedBy: principal.userId,
        comment,
      },
    });
    return row;
  });
  return view(proposal);
}

/**
 * A second customs risk analyst of the proposer's administration approves a pending proposal:
 * the pack is loaded over the one in force, for the next message, no release needed. The proposer
 * cannot approve their own proposal.
 */
export async function approveRulePackProposal(
  ctx: AppContext,
  principal: Principal,
  name: string,
  id: string,
  comment = '',
): Promise<{ proposal: RulePackProposalView; inUse: RulePackInUse }> {
  assertAllowed(principal, 'approve', 'rule-pack');
  assertKnownPack(name);
  const at = ctx.clock.now().toISOString();
  const shippedVersion = (await shippedPack(name)).version;
  const { proposal, stored, pack } = await ctx.storage.write(async (tx) => {
    const proposal = await pendingProposal(tx, name, id);
    const agency = await tx.identity.findAgency(proposal.proposerAgencyId);
    if (agency?.administrationId !== principal.administrationId) {
      throw new DomainError(
        'forbidden',
        'only risk analysts of the administration the proposal came from approve it',
      );
    }
    if (proposal.proposedBy === principal.userId) {
      throw new DomainError(
        'forbidden',
        'you proposed this rule pack: another risk analyst must approve it',
      );
    }
    const pack = loadRulePack(proposal.document);
    const versions = await tx.rulePacks.versions(name);
    assertNewVersion(name, pack.version, shippedVersion, versions);
    const row: StoredRulePack = {
      name,
      seq: (versions[0]?.seq ?? 0) + 1,
      version: pack.version,
      document: proposal.document,
      loadedAt: at,
      loadedBy: principal.userId,
      proposedBy: proposal.proposedBy,
    };
    const decision = {
      status: 'approved' as const,
      decidedAt: at,
      decidedBy: principal.userId,
      reason: comment === '' ? null : comment,
      seq: row.seq,
    };
    if (!(await tx.rulePacks.decideProposal(id, decision))) {
      throw new DomainError('conflict', `proposal ${id} was decided meanwhile`);
    }
    await tx.rulePacks.insert(row);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'rule-pack.loaded',
      subjectType: 'rule-pack',
      subjectId: name,
      details: {
        proposalId: id,
        version: pack.version,
        seq: row.seq,
        rules: pack.rules.length,
        replaces: versions[0]?.version ?? shippedVersion,
        proposedBy: proposal.proposedBy,
        approvedBy: principal.userId,
        comment,
      },
    });
    return { proposal: { ...proposal, ...decision }, stored: row, pack };
  });
  compiled.set(cacheKey(stored), pack);
  return {
    proposal: view(proposal),
    inUse: { pack, seq: stored.seq, loadedAt: stored.loadedAt, loadedBy: stored.loadedBy },
  };
}

/**
 * Turns a pending proposal down, with the reason: a customs risk analyst or administrator of the
 * proposer's administration (the proposer too, to withdraw it). Nothing is loaded.
 */
export async function rejectRulePackProposal(
  ctx: AppContext,
  principal: Principal,
  name: string,
  id: string,
  reason: string,
): Promise<RulePackProposalView> {
  assertKnownPack(name);
  const at = ctx.clock.now().toISOString();
  const proposal = await ctx.storage.write(async (tx) => {
    const proposal = await pendingProposal(tx, name, id);
    // The proposer withdraws their own; otherwise only someone who may approve rejects.
    if (proposal.proposedBy !== principal.userId) assertAllowed(principal, 'approve', 'rule-pack');
    const agency = await tx.identity.findAgency(proposal.proposerAgencyId);
    if (agency?.administrationId !== principal.administrationId) {
      throw new DomainError(
        'forbidden',
        'only staff of the administration the proposal came from reject it',
      );
    }
    const decision = {
      status: 'rejected' as const,
      decidedAt: at,
      decidedBy: principal.userId,
      reason,
      seq: null,
    };
    if (!(await tx.rulePacks.decideProposal(id, decision))) {
      throw new DomainError('conflict', `proposal ${id} was decided meanwhile`);
    }
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'rule-pack.rejected',
      subjectType: 'rule-pack',
      subjectId: name,
      details: {
        proposalId: id,
        version: proposal.version,
        proposedBy: proposal.proposedBy,
        rejectedBy: principal.userId,
        reason,
      },
    });
    return { ...proposal, ...decision };
  });
  return view(proposal);
}

/** A pack's proposals, newest first: the pending one only unless `all`. */
export async function listRulePackProposals(
  ctx: AppContext,
  principal: Principal,
  name: string,
  status?: RulePackProposal['status'],
): Promise<RulePackProposalView[]> {
  assertCustomsReader(principal);
  assertKnownPack(name);
  const own = await ownAgencies(ctx.storage.read, principal);
  // A proposal belongs to the administration of its proposer.
  return (await ctx.storage.read.rulePacks.proposals(name, status))
    .filter((p) => own.has(p.proposerAgencyId))
    .map(view);
}

async function ownAgencies(read: Repositories, principal: Principal): Promise<Set<string>> {
  return new Set((await read.identity.listAgencies(principal.administrationId)).map((a) => a.id));
}

/** One proposal's pack document, so that the approver reads what they approve. */
export async function rulePackProposalDocument(
  ctx: AppContext,
  principal: Principal,
  name: string,
  id: string,
): Promise<RulePackDocument> {
  assertCustomsReader(principal);
  const proposal = await ctx.storage.read.rulePacks.findProposal(id);
  const own = await ownAgencies(ctx.storage.read, principal);
  if (!proposal || proposal.name !== name || !own.has(proposal.proposerAgencyId)) {
    throw new DomainError('not_found', `no proposal ${id} for ${name}`);
  }
  return JSON.parse(proposal.document) as RulePackDocument;
}

async function pendingProposal(
  tx: Repositories,
  name: string,
  id: string,
): Promise<RulePackProposal> {
  const proposal = await tx.rulePacks.findProposal(id);
  if (!proposal || proposal.name !== name) {
    throw new DomainError('not_found', `no proposal ${id} for ${name}`);
  }
  if (proposal.status !== 'pending') {
    throw new DomainError('conflict', `proposal ${id} is ${proposal.status}, not pending`);
  }
  return proposal;
}

function assertNewVersion(
  name: string,
  version: string,
  shippedVersion: string,
  versions: readonly StoredRulePack[],
): void {
  if (version === shippedVersion || versions.some((v) => v.version === version)) {
    throw new DomainError('conflict', `version ${version} of ${name} was loaded already`, [
      { path: '/version', reason: 'give the new pack a new version' },
    ]);
  }
}

function view(p: RulePackProposal): RulePackProposalView {
  const { document, ...rest } = p;
  const rules = (JSON.parse(document) as RulePackDocument).rules;
  return {
    ...rest,
    rules: rules.length,
    assertions: rules.reduce((n, r) => n + r.asserts.length, 0),
  };
}

/** Versions of a pack, newest first, the shipped file last. */
export async function rulePackVersions(
  ctx: AppContext,
  name: string,
): Promise<
  Array<{
    seq: number;
    version: string;
    loadedAt: string | null;
    loadedBy: string | null;
    proposedBy: string | null;
  }>
> {
  if (!SHIPPED_RULE_PACKS[name]) throw new DomainError('not_found', `no rule pack ${name}`);
  const loaded = await ctx.storage.read.rulePacks.versions(name);
  return [
    ...loaded.map((v) => ({
      seq: v.seq,
      version: v.version,
      loadedAt: v.loadedAt,
      loadedBy: v.loadedBy,
      proposedBy: v.proposedBy,
    })),
    {
      seq: 0,
      version: (await shippedPack(name)).version,
      loadedAt: null,
      loadedBy: null,
      proposedBy: null,
    },
  ];
}
