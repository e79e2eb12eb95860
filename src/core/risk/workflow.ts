import type { Principal } from '../auth/identity.js';
import { can } from '../auth/policy.js';
import { DomainError } from '../errors.js';
import type { Authored, IndicatorStatus } from './indicator.js';

/**
 * Joint authoring of indicators and reference lists (pure rules, no I/O).
 *
 *   draft ──submit──▶ awaiting-approval ──every named agency approves──▶ active
 *     ▲                    │                                              │
 *     └──────reject────────┘                         newer version active: superseded
 *   any state ──every owning agency agrees to retire──▶ retired
 *
 * A new version (an edit) starts as a draft; approvals belong to one version, so an edit after an
 * approval needs every agency to approve again. Only risk analysts and environmental officers of
 * an agency named on it (owner or co-author) edit or approve it, each for their own agency.
 *
 * Four eyes: nobody approves a version they saved (another author of their agency approves for
 * it); a version needs the agencies named on the active version too, so dropping a co-author
 * needs that co-author's approval; retiring needs every agency that owns a version still in use.
 */

/** The owner and co-author agencies, owner first, without repeats. */
export function namedAgencies(a: Pick<Authored, 'ownerAgencyId' | 'coAuthorAgencyIds'>): string[] {
  return [...new Set([a.ownerAgencyId, ...a.coAuthorAgencyIds])];
}

/**
 * The agencies that must approve a version: those named on it, then those named on the active
 * version that it drops (leaving a co-author out needs that co-author's consent).
 */
export function requiredAgencies(
  subject: Pick<Authored, 'ownerAgencyId' | 'coAuthorAgencyIds'>,
  active?: Pick<Authored, 'ownerAgencyId' | 'coAuthorAgencyIds'>,
): string[] {
  return [...new Set([...namedAgencies(subject), ...(active ? namedAgencies(active) : [])])];
}

/** Risk analysts of customs and environmental officers of environmental agencies author and approve. */
export function isAuthor(principal: Principal): boolean {
  return can(principal, 'author', 'indicator');
}

/** Refuses a principal who may not edit (or create) this subject. */
export function assertMayEdit(principal: Principal, subject?: Authored, what = 'indicator'): void {
  if (!isAuthor(principal)) {
    throw new DomainError(
      'forbidden',
      `only risk analysts and environmental officers author ${what}s`,
    );
  }
  if (subject && !namedAgencies(subject).includes(principal.agencyId)) {
    throw new DomainError(
      'forbidden',
      `your agency is not an author of this ${what}: only its owner and co-author agencies edit it`,
    );
  }
  if (subject?.status === 'retired') {
    throw new DomainError('conflict', `this ${what} is retired`);
  }
}

export interface ApprovalCheck {
  /** Agencies still to approve after this one, in named order. */
  remaining: string[];
  /** True when this approval is the last one: the version becomes active. */
  activates: boolean;
}

/** Refuses a principal who may not decide on this version: an author of an agency that must approve it. */
export function assertMayDecide(
  principal: Principal,
  required: readonly string[],
  what = 'indicator',
): void {
  if (!isAuthor(principal)) {
    throw new DomainError(
      'forbidden',
      `only risk analysts and environmental officers approve ${what}s`,
    );
  }
  if (!required.includes(principal.agencyId)) {
    throw new DomainError(
      'forbidden',
      `your agency is not named on this ${what}; you approve only for your own agency`,
    );
  }
}

/**
 * Checks that `principal` may approve `version` of the subject for their agency, given the
 * approvals already recorded for that version and the active version it would replace (if any),
 * and says whether it then becomes active.
 */
export function checkApproval(
  principal: Principal,
  subject: Authored & { version: number; createdBy: string | null },
  version: number,
  approvedBy: readonly string[],
  what = 'indicator',
  active?: Authored,
): ApprovalCheck {
  const required = requiredAgencies(subject, active);
  assertMayDecide(principal, required, what);
  assertCurrentVersion(subject, version, what);
  if (subject.createdBy !== null && subject.createdBy === principal.userId) {
    throw new DomainError(
      'forbidden',
      `you saved version ${version} of this ${what}: another author of your agency approves it for your agency`,
    );
  }
  if (subject.status !== 'awaiting-approval') {
    throw new DomainError(
      'conflict',
      `${what} version ${version} is ${subject.status}, not awaiting approval`,
    );
  }
  if (approvedBy.includes(principal.agencyId)) {
    throw new DomainError('conflict', `your agency has already approved version ${version}`);
  }
  const remaining = required.filter((a) => a !== principal.agencyId && !approvedBy.includes(a));
  return { remaining, activates: remaining.length === 0 };
}

export interface RetirementCheck {
  /** Owning agencies still to agree after this one, in named order. */
  remaining: string[];
  /** True when this agreement is the last one: the subject is retired. */
  retires: boolean;
}

/**
 * Checks that `principal` may agree, for their agency, to retire the subject whose versions still
 * in use (active or pending) are `inUse`, given the agencies that agreed already.
 */
export function checkRetirement(
  principal: Principal,
  subject: Authored & { version: number },
  inUse: readonly Authored[],
  agreedBy: readonly string[],
  what = 'indicator',
): RetirementCheck {
  const owning = inUse.length > 0 ? inUse : [subject];
  const owners = [...new Set(owning.flatMap((v) => namedAgencies(v)))];
  if (!isAuthor(principal)) {
    throw new DomainError(
      'forbidden',
      `only risk analysts and environmental officers retire ${what}s`,
    );
  }
  if (!owners.includes(principal.agencyId)) {
    throw new DomainError(
      'forbidden',
      `your agency does not own this ${what}: only its owner and co-author agencies retire it`,
    );
  }
  if (subject.status === 'retired') {
    throw new DomainError('conflict', `this ${what} is retired`);
  }
  if (agreedBy.includes(principal.agencyId)) {
    throw new DomainError(
      'conflict',
      `your agency has already agreed to retire version ${subject.version}`,
    );
  }
  const remaining = owners.filter((a) => a !== principal.agencyId && !agreedBy.includes(a));
  return { remaining, retires: remaining.length === 0 };
}

/** A workflow step names the version it acts on, so that nobody approves an edit they did not see. */
export function assertCurrentVersion(
  subject: { version: number },
  version: number,
  what = 'indicator',
): void {
  if (subject.version !== version) {
    throw new DomainError(
      'conflict',
      `version ${version} is not the newest version of this ${what} (${subject.version} is)`,
    );
  }
}

/** The status a step moves from, or the conflict it raises. */
export function assertStatus(
  subject: { status: IndicatorStatus; version: number },
  allowed: readonly IndicatorStatus[],
  step: string,
  what = 'indicator',
): void {
  if (!allowed.includes(subject.status)) {
    throw new DomainError(
      'conflict',
      `cannot ${step} ${what} version ${subject.version}: it is ${subject.status} (${step} needs ${allowed.join(' or ')})`,
    );
  }
}
