import { DomainError } from '../errors.js';
import type { AgencyKind, Principal, Role } from './identity.js';

/**
 * GreenLane's access policy as data (the shape of CASL / UCAST rules): each rule grants an action
 * on a subject type to some roles of some kinds of agency, under conditions on the record, with
 * the reason a person reads in the documentation (docs/access-policy.md is generated from this
 * table). The same rules are interpreted twice: `authorize` checks one record in memory, and
 * `scopeOf` turns them into the equality filters a store applies to a list, so that a list and a
 * read by id never disagree. Nothing is allowed unless a rule allows it.
 *
 * Conditions compare a field of the record with the principal: `agency` (the principal's agency
 * id), `administration` (its administration id) or `trader` (its EORI/TIN). Every rule on records
 * is bound to the principal's own administration, directly or through its own agency: nothing
 * crosses administrations except through the exchange with partners. Managers read; they never
 * change anything.
 */

export const SUBJECTS = [
  'declaration',
  'cargo-report',
  'control',
  'indicator',
  'rule-pack',
  'screening',
  'permit',
  'certificate',
  'trader-record',
  'performance-metrics',
  'training-data',
  'risk-model',
  'method-information',
  'exchange-message',
  'agency-message',
  'partner-directory',
  'ledger',
  'system-metrics',
  'identity',
  'ipr-application',
  'ipr-case',
  'working-calendar',
  'energy-point',
  'energy-flow',
  'energy-case',
  'trade-mirror',
] as const;
export type Subject = (typeof SUBJECTS)[number];

export const ACTIONS = [
  'read',
  'lodge',
  'amend',
  'cancel',
  'reply',
  'close',
  'inspect',
  'hold',
  'release',
  'assign',
  'refer',
  'author',
  'approve',
  'preview',
  'replace',
  'run',
  'apply',
  'respond',
  'decide',
  'issue',
  'administer',
  'send',
] as const;
export type Action = (typeof ACTIONS)[number];

export type Condition = { field: string; equals: 'agency' | 'administration' | 'trader' };

export interface Rule {
  actions: readonly Action[];
  subject: Subject;
  roles: readonly Role[];
  /** Kinds of agency the principal must belong to (any kind when absent). */
  agencyKinds?: readonly AgencyKind[];
  /** Every condition must hold on the record. */
  when?: readonly Condition[];
  reason: string;
}

const CUSTOMS_STAFF: Role[] = [
  'border_officer',
  'ipr_officer',
  'risk_analyst',
  'manager',
  'liaison_officer',
  'admin',
];
const AUTHORS: Role[] = ['risk_analyst', 'environmental_officer'];
const PUBLIC_AGENCIES: AgencyKind[] = [
  'customs',
  'environment',
  'phytosanitary',
  'energy',
  'police',
  'other',
];
const ISSUERS: Role[] = ['environmental_officer', 'risk_analyst'];
const ownAgency = (field: string): Condition => ({ field, equals: 'agency' });
const ownAdministration = (field = 'administrationId'): Condition => ({
  field,
  equals: 'administration',
});

/** The policy. Order does not matter: a request is allowed when any rule allows it. */
export const POLICY: readonly Rule[] = [
  // Declarations and entry summary declarations.
  {
    actions: ['lodge'],
    subject: 'declaration',
    roles: ['trader'],
    agencyKinds: ['trader'],
    reason:
      'traders lodge their own declarations (as themselves or for a principal they represent)',
  },
  {
    actions: ['lodge'],
    subject: 'declaration',
    roles: ['border_officer', 'risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    reason: 'customs staff lodge declarations at the border (paper, walk-in, tests)',
  },
  {
    actions: ['read', 'amend', 'cancel'],
    subject: 'declaration',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [ownAgency('submitterAgencyId')],
    reason: 'a trader reads, amends and cancels what its own organisation lodged, nothing else',
  },
  {
    actions: ['read'],
    subject: 'declaration',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'staff of the customs agency a declaration is lodged with read it',
  },
  {
    actions: ['amend', 'cancel'],
    subject: 'declaration',
    roles: ['border_officer', 'risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAgency('submitterAgencyId')],
    reason:
      'customs staff amend or cancel what they lodged themselves (a declarant amends its own)',
  },
  {
    actions: ['lodge'],
    subject: 'cargo-report',
    roles: ['trader'],
    agencyKinds: ['trader'],
    reason: 'carriers and their representatives lodge entry summary declarations',
  },
  {
    actions: ['lodge'],
    subject: 'cargo-report',
    roles: ['border_officer', 'risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    reason: 'customs staff lodge entry summary declarations received on paper or by fallback',
  },
  {
    actions: ['read', 'reply'],
    subject: 'cargo-report',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [ownAgency('submitterAgencyId')],
    reason: 'the lodging organisation follows its cargo report and answers information requests',
  },
  {
    actions: ['read'],
    subject: 'cargo-report',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'staff of the customs agency the report is lodged with read it',
  },
  {
    actions: ['close'],
    subject: 'cargo-report',
    roles: ['border_officer', 'risk_analyst'],
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'officers and analysts close pre-arrival referrals of their agency',
  },

  // Controls at the border.
  {
    actions: ['read'],
    subject: 'control',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'customs staff follow the controls of their agency',
  },
  {
    actions: ['inspect', 'hold', 'release', 'refer'],
    subject: 'control',
    roles: ['border_officer'],
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'border officers inspect, hold, refer and release goods lodged with their agency',
  },
  {
    actions: ['assign'],
    subject: 'control',
    roles: ['border_officer', 'manager'],
    agencyKinds: ['customs'],
    when: [ownAgency('agencyId')],
    reason: 'an officer takes a control; a manager assigns work (the only thing managers do)',
  },

  // Shared risk indicators, reference lists and message rule packs.
  {
    actions: ['read'],
    subject: 'indicator',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason: 'staff of the public agencies of the administration read its indicators; traders never',
  },
  {
    actions: ['author', 'approve', 'preview'],
    subject: 'indicator',
    roles: AUTHORS,
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason: 'analysts and environmental officers author, test and approve indicators jointly',
  },
  {
    actions: ['run'],
    subject: 'screening',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    reason: 'what-if screening shows the targeting rules: staff of public agencies only',
  },
  {
    actions: ['read'],
    subject: 'rule-pack',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    reason: 'customs staff read the message rule packs in force',
  },
  {
    actions: ['replace'],
    subject: 'rule-pack',
    roles: ['risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    reason: 'customs analysts and administrators propose a rule-pack replacement',
  },
  {
    actions: ['approve'],
    subject: 'rule-pack',
    roles: ['risk_analyst'],
    agencyKinds: ['customs'],
    reason: 'a second customs analyst (never the proposer) puts a proposed rule pack in force',
  },
  {
    actions: ['read'],
    subject: 'method-information',
    roles: ['liaison_officer', 'risk_analyst', 'manager', 'admin'],
    agencyKinds: ['customs'],
    reason: 'what may be shared with partner administrations: liaison officers and analysts',
  },
  {
    actions: ['read'],
    subject: 'exchange-message',
    roles: ['liaison_officer', 'risk_analyst', 'manager', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'the exchange with partner administrations: liaison officers, analysts, managers',
  },
  {
    actions: ['send', 'respond'],
    subject: 'exchange-message',
    roles: ['liaison_officer'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'liaison officers send alerts, requests for assistance and seizure reports, and answer requests',
  },
  {
    actions: ['send'],
    subject: 'exchange-message',
    roles: ['risk_analyst'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'analysts share non-confidential risk information (and alerts) with partners',
  },
  {
    actions: ['read'],
    subject: 'agency-message',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason: 'staff of the public agencies read the messages of their own agency with the others',
  },
  {
    actions: ['send', 'respond'],
    subject: 'agency-message',
    roles: ['border_officer', 'risk_analyst', 'liaison_officer', 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason:
      'staff of the public agencies of an administration send each other alerts, requests and seizure reports (they never leave the node)',
  },
  {
    actions: ['read'],
    subject: 'partner-directory',
    roles: ['liaison_officer', 'risk_analyst', 'manager', 'admin', 'border_officer'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'customs staff look up partner administrations and their liaison officers',
  },
  {
    actions: ['author'],
    subject: 'partner-directory',
    roles: ['liaison_officer', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: "liaison officers keep the node's own contact entries that partners receive",
  },
  {
    actions: ['administer'],
    subject: 'partner-directory',
    roles: ['admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'administrators register partners, confirm their keys and record agreements',
  },

  {
    actions: ['read'],
    subject: 'ledger',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason:
      "staff of the public agencies follow the ledger and download the proof of a record they may read (never traders: a record's event holds its risk score)",
  },
  {
    actions: ['run'],
    subject: 'ledger',
    roles: ['admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'administrators verify the whole ledger on demand',
  },

  // Intellectual property: applications for action and detention cases (issue 18).
  {
    actions: ['apply'],
    subject: 'ipr-application',
    roles: ['right_holder'],
    agencyKinds: ['right-holder'],
    reason: 'right holders apply for customs action to protect their own rights',
  },
  {
    actions: ['read', 'respond'],
    subject: 'ipr-application',
    roles: ['right_holder'],
    agencyKinds: ['right-holder'],
    when: [ownAgency('applicantAgencyId')],
    reason: 'a right holder follows its own applications and answers requests for information',
  },
  {
    actions: ['read'],
    subject: 'ipr-application',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'customs staff read the register of rights of their administration',
  },
  {
    actions: ['decide'],
    subject: 'ipr-application',
    roles: ['ipr_officer'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'the customs IPR unit accepts, refuses, extends or asks for more information',
  },
  {
    actions: ['read'],
    subject: 'ipr-case',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'customs staff read the detention cases of their administration',
  },
  {
    actions: ['hold', 'decide'],
    subject: 'ipr-case',
    roles: ['border_officer', 'ipr_officer'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'border officers and the IPR unit suspend release of suspect goods and run the procedure (notifications, extensions, destruction, release)',
  },
  {
    actions: ['read', 'respond'],
    subject: 'ipr-case',
    roles: ['right_holder'],
    agencyKinds: ['right-holder'],
    when: [ownAgency('holderAgencyId')],
    reason:
      'the right holder reads the cases of goods suspected of infringing its rights and answers in them',
  },
  {
    actions: ['read', 'respond'],
    subject: 'ipr-case',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [ownAgency('declarantAgencyId')],
    reason: 'the declarant sees that its goods are detained, the deadline, and answers',
  },
  {
    actions: ['read'],
    subject: 'working-calendar',
    roles: ['ipr_officer', 'border_officer', 'manager', 'admin', 'right_holder', 'trader'],
    when: [ownAdministration()],
    reason: 'everyone who has deadlines reads the working days they are counted in',
  },
  {
    actions: ['administer'],
    subject: 'working-calendar',
    roles: ['admin', 'ipr_officer'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      "customs administrators and the IPR unit set the administration's working days and holidays",
  },
  // Energy transfer control (issue 19): interconnection points, metered and declared flows.
  {
    actions: ['read'],
    subject: 'energy-point',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: "customs staff read the administration's power lines and pipelines to partners",
  },
  {
    actions: ['administer'],
    subject: 'energy-point',
    roles: ['admin', 'risk_analyst'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'administrators and analysts record the interconnection points and what comparing their figures needs',
  },
  {
    actions: ['read'],
    subject: 'energy-flow',
    roles: ['risk_analyst', 'manager', 'liaison_officer', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'analysts, managers and liaison officers follow the metered flows and their reconciliation',
  },
  {
    actions: ['lodge'],
    subject: 'energy-flow',
    roles: ['risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      "analysts and administrators (and the operator's feed under their API token) record meter readings, declared and partner figures",
  },
  {
    actions: ['read'],
    subject: 'energy-case',
    roles: ['risk_analyst', 'manager', 'liaison_officer', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason: 'who follows the flows reads the reconciliation cases their discrepancies raised',
  },
  {
    actions: ['decide'],
    subject: 'energy-case',
    roles: ['risk_analyst'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'analysts work reconciliation cases: close them with a resolution, reopen them, tell the partner',
  },
  {
    actions: ['read'],
    subject: 'trade-mirror',
    roles: ['risk_analyst', 'manager', 'liaison_officer', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      "analysts, managers and liaison officers compare partners' exports with the administration's imports",
  },
  {
    actions: ['lodge'],
    subject: 'trade-mirror',
    roles: ['risk_analyst', 'admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      "analysts and administrators load partners' export and the administration's import figures",
  },
  // The Single Window: permits and certificates.
  {
    actions: ['apply'],
    subject: 'permit',
    roles: ['trader'],
    agencyKinds: ['trader'],
    reason: 'traders apply for permits for themselves',
  },
  {
    actions: ['read', 'respond'],
    subject: 'permit',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [ownAgency('applicantAgencyId')],
    reason: 'an applicant follows and completes its own applications and permits',
  },
  {
    actions: ['read'],
    subject: 'permit',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAgency('issuerAgencyId')],
    reason: 'an issuing agency reads what it issues',
  },
  {
    actions: ['read'],
    subject: 'permit',
    roles: CUSTOMS_STAFF,
    agencyKinds: ['customs'],
    when: [ownAdministration('issuerAdministrationId')],
    reason: 'customs checks every permit of its administration at clearance',
  },
  {
    actions: ['decide'],
    subject: 'permit',
    roles: ISSUERS,
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAgency('issuerAgencyId')],
    reason: 'officers of the issuing agency review, issue, refuse, suspend and revoke',
  },
  {
    actions: ['issue'],
    subject: 'certificate',
    roles: ISSUERS,
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAgency('issuerAgencyId')],
    reason: 'officers of an agency issue, suspend, reinstate and revoke its certificates',
  },
  {
    actions: ['read'],
    subject: 'certificate',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [{ field: 'holderId', equals: 'trader' }],
    reason: 'a trader sees its own certificates',
  },
  {
    actions: ['read'],
    subject: 'certificate',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    when: [ownAdministration()],
    reason: 'staff of the public agencies read the certificates of their administration',
  },
  {
    actions: ['read'],
    subject: 'trader-record',
    roles: ['trader'],
    agencyKinds: ['trader'],
    when: [{ field: 'traderId', equals: 'trader' }],
    reason: 'a trader reads its own compliance record',
  },
  {
    actions: ['read'],
    subject: 'trader-record',
    roles: [...CUSTOMS_STAFF, 'environmental_officer'],
    agencyKinds: PUBLIC_AGENCIES,
    reason: "staff of the public agencies read a trader's compliance record",
  },

  // Metrics and administration.
  {
    actions: ['read'],
    subject: 'performance-metrics',
    roles: ['manager', 'risk_analyst', 'liaison_officer', 'environmental_officer', 'admin'],
    agencyKinds: PUBLIC_AGENCIES,
    reason: 'managers, analysts and liaison officers follow the performance metrics',
  },
  {
    actions: ['read'],
    subject: 'training-data',
    roles: ['risk_analyst', 'manager', 'admin'],
    agencyKinds: ['customs'],
    reason: 'labelled examples for the learned model hold whole declarations: customs only',
  },
  {
    actions: ['read'],
    subject: 'risk-model',
    roles: ['risk_analyst', 'manager', 'admin'],
    agencyKinds: ['customs'],
    reason:
      "the learned model's versions, cards and drift: customs analysts, managers and administrators",
  },
  {
    actions: ['author', 'approve'],
    subject: 'risk-model',
    roles: ['risk_analyst'],
    agencyKinds: ['customs'],
    reason:
      'customs risk analysts train, submit and approve models; nobody approves a version they trained or submitted',
  },
  {
    actions: ['read'],
    subject: 'system-metrics',
    roles: ['admin'],
    reason: 'Prometheus metrics describe the node: administrators (and their scraper tokens)',
  },
  {
    actions: ['administer'],
    subject: 'identity',
    roles: ['admin'],
    agencyKinds: ['customs'],
    when: [ownAdministration()],
    reason:
      'administrators (of the customs agency) manage the agencies, users, roles, API tokens and sessions of their administration',
  },
];

export interface Decision {
  allowed: boolean;
  /** The reason of the rule that allowed it, or why nothing did. */
  reason: string;
}

const valueOf = (p: Principal, c: Condition): string | null =>
  c.equals === 'agency'
    ? p.agencyId
    : c.equals === 'administration'
      ? p.administrationId
      : p.traderId;

function applies(rule: Rule, p: Principal, action: Action, subject: Subject): boolean {
  return (
    rule.subject === subject &&
    rule.actions.includes(action) &&
    rule.roles.some((r) => p.roles.includes(r)) &&
    (rule.agencyKinds === undefined || rule.agencyKinds.includes(p.agencyKind))
  );
}

/**
 * May the principal do `action` on `subject`? With a record, the rule's conditions are checked on
 * it; without one, the answer is whether some rule could allow it (for a record yet to exist, or to
 * decide whether to show a page).
 */
export function authorize(
  p: Principal,
  action: Action,
  subject: Subject,
  record?: object,
): Decision {
  for (const rule of POLICY) {
    if (!applies(rule, p, action, subject)) continue;
    if (record === undefined) return { allowed: true, reason: rule.reason };
    const holds = (rule.when ?? []).every((c) => {
      const want = valueOf(p, c);
      return want !== null && (record as Record<string, unknown>)[c.field] === want;
    });
    if (holds) return { allowed: true, reason: rule.reason };
  }
  return { allowed: false, reason: `your roles do not allow ${action} on ${subject}` };
}

/** True when the principal may do it (see `authorize`). */
export const can = (p: Principal, action: Action, subject: Subject, record?: object): boolean =>
  authorize(p, action, subject, record).allowed;

/**
 * The rules as a storage filter: the records the principal may `action`, as alternatives of
 * field equalities (a record qualifies when it matches every equality of some alternative). An
 * empty list means none; an alternative with no equality means every record.
 */
export function scopeOf(
  p: Principal,
  action: Action,
  subject: Subject,
): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const rule of POLICY) {
    if (!applies(rule, p, action, subject)) continue;
    const eq: Record<string, string> = {};
    let possible = true;
    for (const c of rule.when ?? []) {
      const v = valueOf(p, c);
      if (v === null) possible = false;
      else eq[c.field] = v;
    }
    if (possible) out.push(eq);
  }
  return out;
}

/** Everything the principal may do in general: what the console asks `GET /api/me` for. */
export function abilities(p: Principal): Array<{ action: Action; subject: Subject }> {
  const out: Array<{ action: Action; subject: Subject }> = [];
  for (const subject of SUBJECTS)
    for (const action of ACTIONS)
      if (POLICY.some((r) => applies(r, p, action, subject))) out.push({ action, subject });
  return out;
}

/**
 * Throws `forbidden` with the policy's reason unless the principal may do it. Use after the record
 * was found readable: whoever may not read a record is told it does not exist (`not_found`), so
 * that ids of other organisations' records leak nothing.
 */
export function assertAllowed(
  p: Principal,
  action: Action,
  subject: Subject,
  record?: object,
): void {
  const d = authorize(p, action, subject, record);
  if (!d.allowed) throw new DomainError('forbidden', d.reason);
}
