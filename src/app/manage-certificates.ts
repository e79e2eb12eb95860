import type { Principal } from '../core/auth/identity.js';
import { assertAllowed, can } from '../core/auth/policy.js';
import type { Repositories } from '../core/ports.js';
import { DomainError } from '../core/errors.js';
import {
  ISSUER_KINDS,
  validateCertificate,
  type Certificate,
  type CertificateStatus,
  type TraderRecord,
} from '../core/traders/certificate.js';
import type { AppContext } from './context.js';

/**
 * The register of certificates and trusted-trader status. Environmental agencies issue
 * environmental compliance certificates and recycler programme memberships; customs grants
 * trusted-trader status. Only authorised users of the issuing agency issue, suspend, reinstate or
 * revoke, and each change is an audit event.
 */
export async function issueCertificate(
  ctx: AppContext,
  principal: Principal,
  input: unknown,
): Promise<Certificate> {
  assertAllowed(principal, 'issue', 'certificate', { issuerAgencyId: principal.agencyId });
  const checked = validateCertificate(input);
  if (!checked.ok) {
    throw new DomainError('invalid_input', 'the certificate is not valid', checked.issues);
  }
  const v = checked.value;
  const kinds = ISSUER_KINDS[v.type];
  if (!kinds.includes(principal.agencyKind)) {
    throw new DomainError(
      'forbidden',
      `${v.type} certificates are issued by ${kinds.join(' or ')} agencies, not by a ${principal.agencyKind} agency`,
    );
  }
  const at = ctx.clock.now().toISOString();
  const certificate: Certificate = {
    id: ctx.ids.next(),
    type: v.type,
    reference: v.reference,
    holderId: v.holderId,
    holderName: v.holderName,
    issuerAgencyId: principal.agencyId,
    hsScope: [...new Set(v.hsScope)].sort(),
    validFrom: new Date(v.validFrom).toISOString(),
    validTo: v.validTo ? new Date(v.validTo).toISOString() : null,
    status: 'valid',
    statusReason: null,
    createdAt: at,
    createdBy: principal.userId,
    updatedAt: at,
  };
  await ctx.storage.write(async (tx) => {
    const same = await tx.certificates.list({ issuerAgencyId: principal.agencyId });
    if (same.some((c) => c.reference === certificate.reference)) {
      throw new DomainError(
        'conflict',
        `your agency has already issued a certificate with reference ${certificate.reference}`,
      );
    }
    await tx.certificates.insert(certificate);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'certificate.issued',
      subjectType: 'certificate',
      subjectId: certificate.id,
      details: {
        type: certificate.type,
        reference: certificate.reference,
        holderId: certificate.holderId,
        hsScope: certificate.hsScope,
        validFrom: certificate.validFrom,
        validTo: certificate.validTo,
      },
    });
  });
  return certificate;
}

const MOVES: Record<
  'suspend' | 'reinstate' | 'revoke',
  { from: CertificateStatus[]; to: CertificateStatus }
> = {
  suspend: { from: ['valid'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'valid' },
  revoke: { from: ['valid', 'suspended'], to: 'revoked' },
};

/** Suspends, reinstates or revokes a certificate (revocation is final), with the reason. */
export async function changeCertificateStatus(
  ctx: AppContext,
  principal: Principal,
  id: string,
  action: keyof typeof MOVES,
  reason: string,
): Promise<Certificate> {
  assertAllowed(principal, 'issue', 'certificate');
  if (reason.trim() === '') {
    throw new DomainError('invalid_input', 'a reason is required', [
      { path: '/reason', reason: 'say why' },
    ]);
  }
  const at = ctx.clock.now().toISOString();
  const move = MOVES[action];
  return ctx.storage.write(async (tx) => {
    const c = await tx.certificates.find(id);
    if (!c || !(await mayRead(tx, principal, c)))
      throw new DomainError('not_found', `no certificate ${id}`);
    assertAllowed(principal, 'issue', 'certificate', c);
    if (!move.from.includes(c.status)) {
      throw new DomainError('conflict', `cannot ${action} a ${c.status} certificate`);
    }
    await tx.certificates.setStatus(id, move.to, reason, at);
    await tx.audit.append({
      at,
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: `certificate.${move.to === 'valid' ? 'reinstated' : move.to}`,
      subjectType: 'certificate',
      subjectId: id,
      details: { from: c.status, to: move.to, reason },
    });
    return { ...c, status: move.to, statusReason: reason, updatedAt: at };
  });
}

/** Certificates a principal may see: all for public agencies, a trader only its own. */
export async function listCertificates(
  ctx: AppContext,
  principal: Principal,
  filter: { holderId?: string },
): Promise<Certificate[]> {
  assertAllowed(principal, 'read', 'certificate');
  if (principal.agencyKind === 'trader') {
    if (principal.traderId === null) return [];
    if (filter.holderId !== undefined && filter.holderId !== principal.traderId) {
      throw new DomainError('forbidden', 'traders see only their own certificates');
    }
  }
  const read = ctx.storage.read;
  const own = new Set(
    (await read.identity.listAgencies(principal.administrationId)).map((a) => a.id),
  );
  const all = await read.certificates.list(
    principal.agencyKind === 'trader' ? { holderId: principal.traderId! } : filter,
  );
  // Only what the policy lets the principal read, issued within its administration.
  return all.filter((c) => own.has(c.issuerAgencyId) && readable(principal, c, own));
}

function readable(principal: Principal, c: Certificate, ownAgencies: Set<string>): boolean {
  return can(principal, 'read', 'certificate', {
    ...c,
    administrationId: ownAgencies.has(c.issuerAgencyId) ? principal.administrationId : null,
  });
}

/** The policy's `read certificate`, with the issuer's administration looked up. */
async function mayRead(read: Repositories, principal: Principal, c: Certificate): Promise<boolean> {
  const issuer = await read.identity.findAgency(c.issuerAgencyId);
  return can(principal, 'read', 'certificate', {
    ...c,
    administrationId: issuer?.administrationId ?? null,
  });
}

export async function getCertificate(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<Certificate> {
  const c = await ctx.storage.read.certificates.find(id);
  // A trader learns nothing about certificates of others, not even that they exist.
  if (!c || !(await mayRead(ctx.storage.read, principal, c))) {
    throw new DomainError('not_found', `no certificate ${id}`);
  }
  return c;
}

export interface TraderView {
  traderId: string;
  record: TraderRecord;
  /** controls with a finding / controls; null before any control. */
  findingRate: number | null;
  certificates: Certificate[];
}

/** A trader's compliance record and certificates (public agencies, or the trader itself). */
export async function getTrader(
  ctx: AppContext,
  principal: Principal,
  traderId: string,
): Promise<TraderView> {
  assertAllowed(principal, 'read', 'trader-record', { traderId });
  const read = ctx.storage.read;
  const record = (await read.traderRecords.find(traderId)) ?? {
    traderId,
    controls: 0,
    findings: 0,
    lastControlAt: null,
    lastFindingAt: null,
  };
  return {
    traderId,
    record,
    findingRate: record.controls === 0 ? null : record.findings / record.controls,
    certificates: await read.certificates.ofHolder(traderId),
  };
}
