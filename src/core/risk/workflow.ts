import { hasRole, type Principal } from '../auth/identity.js';
import { DomainError } from '../errors.js';
import type { Authored, IndicatorStatus } from './indicator.js';

/**
 * Joint authoring of indicators and reference lists (pure rules, no I/O).
 *
 *   draft ──submit──▶ awaiting-approval ──every named agency approves──▶ active
 *     ▲                    │                                              │
 *     └──────reject────────┘                         newer version active: superseded
 *   any state ──retire──▶ retired
 *
 * A new version (an edit) starts as a draft; approvals belong to one version, so an edit after an
 * approval needs every agency to approve again. Only risk analysts and environmental officers of
 * an agency named on it (owner or co-author) edit or approve it, each for their own agency.
 */

/** The owner and co-author agencies, owner first, without repeats. */
export function namedAgencies(a: Pick<Authored, 'ownerAgencyId' | 'coAuthorAgencyIds'>): string[] {
  return [...new Set([a.ownerAgencyId, ...a.coAuthorAgencyIds])];
}

/** Risk analysts of customs and environmental officers of environmental agencies author and approve. */
export function isAuthor(principal: Principal): boolean {
  return hasRole(principal, 'risk_analyst', 'environmental_officer');
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

/**
 * Checks that `principal` may approve `version` of the subject for their agency, given the
 * approvals already recorded for that version, and says whether it then becomes active.
 */
export function checkApproval(
  principal: Principal,
  subject: Authored & { version: number },
  version: number,
  approvedBy: readonly string[],
  what = 'indicator',
): ApprovalCheck {
  if (!isAuthor(principal)) {
    throw new DomainError(
      'forbidden',
      `only risk analysts and environmental officers approve ${what}s`,
    );
  }
  const named = namedAgencies(subject);
  if (!named.includes(principal.agencyId)) {
    throw new DomainError(
      'forbidden',
      `your agency is not named on this ${what}; you approve only for your own agency`,
    );
  }
  assertCurrentVersion(subject, version, what);
  if (subject.status !== 'awaiting-approval') {
    throw new DomainError(
      'conflict',
      `${what} version ${version} is ${subject.status}, not awaiting approval`,
    );
  }
  if (approvedBy.includes(principal.agencyId)) {
    throw new DomainError('conflict', `your agency has already approved version ${version}`);
  }
  const remaining = named.filter((a) => a !== principal.agencyId && !approvedBy.includes(a));
  return { remaining, activates: remaining.length === 0 };
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
