import { readFile } from 'node:fs/promises';
import { hasRole, type Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import type { StoredRulePack } from '../core/ports.js';
import { loadRulePack, type RulePack } from '../core/rules/rule-pack.js';
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

/**
 * Loads a new version of a rule pack over the one in force, without a release: every assertion
 * is compiled first and a bad one refuses the whole pack, naming the rule, the assertion and the
 * error. The version label must be new for that pack. Risk analysts and administrators only.
 */
export async function replaceRulePack(
  ctx: AppContext,
  principal: Principal,
  name: string,
  document: unknown,
): Promise<RulePackInUse> {
  if (!hasRole(principal, 'risk_analyst', 'admin') || principal.agencyKind !== 'customs') {
    throw new DomainError(
      'forbidden',
      'only customs risk analysts and administrators load rule packs',
    );
  }
  if (!SHIPPED_RULE_PACKS[name]) throw new DomainError('not_found', `no rule pack ${name}`);
  const pack = loadRulePack(document);
  if (pack.name !== name) {
    throw new DomainError('invalid_input', `the pack is named ${pack.name}, not ${name}`, [
      { path: '/name', reason: `must be ${name}` },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const text = JSON.stringify(pack.document);
  const shippedVersion = (await shippedPack(name)).version;
  const stored = await ctx.storage.write(async (tx): Promise<StoredRulePack> => {
    const versions = await tx.rulePacks.versions(name);
    const current = versions[0]?.version ?? shippedVersion;
    if (pack.version === shippedVersion || versions.some((v) => v.version === pack.version)) {
      throw new DomainError('conflict', `version ${pack.version} of ${name} was loaded already`, [
        { path: '/version', reason: 'give the new pack a new version' },
      ]);
    }
    const row: StoredRulePack = {
      name,
      seq: (versions[0]?.seq ?? 0) + 1,
      version: pack.version,
      document: text,
      loadedAt: at,
      loadedBy: principal.userId,
    };
    await tx.rulePacks.insert(row);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'rule-pack.loaded',
      subjectType: 'rule-pack',
      subjectId: name,
      details: { version: pack.version, seq: row.seq, rules: pack.rules.length, replaces: current },
    });
    return row;
  });
  compiled.set(cacheKey(stored), pack);
  return { pack, seq: stored.seq, loadedAt: stored.loadedAt, loadedBy: stored.loadedBy };
}

/** Versions of a pack, newest first, the shipped file last. */
export async function rulePackVersions(
  ctx: AppContext,
  name: string,
): Promise<
  Array<{ seq: number; version: string; loadedAt: string | null; loadedBy: string | null }>
> {
  if (!SHIPPED_RULE_PACKS[name]) throw new DomainError('not_found', `no rule pack ${name}`);
  const loaded = await ctx.storage.read.rulePacks.versions(name);
  return [
    ...loaded.map((v) => ({
      seq: v.seq,
      version: v.version,
      loadedAt: v.loadedAt,
      loadedBy: v.loadedBy,
    })),
    { seq: 0, version: (await shippedPack(name)).version, loadedAt: null, loadedBy: null },
  ];
}
