import { POLICY, type Condition } from './policy.js';

const WHO: Record<Condition['equals'], string> = {
  agency: "the user's agency",
  administration: "the user's administration",
  trader: "the user's organisation (EORI/TIN)",
};

/** The policy as the Markdown table of docs/access-policy.md (`npm run docs:policy` writes it). */
export function policyMarkdown(): string {
  const rows = POLICY.map((r) => {
    const when = (r.when ?? []).map((c) => `\`${c.field}\` is ${WHO[c.equals]}`).join('; ');
    return `| ${r.subject} | ${r.actions.join(', ')} | ${r.roles.join(', ')} | ${
      r.agencyKinds?.join(', ') ?? 'any'
    } | ${when || 'any record'} | ${r.reason} |`;
  });
  return [
    '# Access policy',
    '',
    '<!-- Generated from src/core/auth/policy.ts by `npm run docs:policy`; a test checks it is current. -->',
    '',
    'GreenLane allows nothing that no rule below allows. Each rule grants actions on a kind of',
    'record to some roles of some kinds of agency, under conditions on the record. The use cases',
    'check one record against these rules; lists are filtered in the database by the same rules,',
    'so a list and a read by id never disagree. Whoever may not read a record is told it does not',
    'exist (404); whoever may read it but not act on it is told why (403). Every record belongs to',
    'one administration, and nothing crosses administrations except through the exchange with',
    'partners. Managers read; they assign work and change nothing else.',
    '',
    'Four-eyes rules (no one approves what they authored; every named agency approves; a rule-pack',
    'replacement needs a second person) are checked by the approval workflow on top of this table.',
    '',
    '| Subject | Actions | Roles | Agency kinds | Conditions | Why |',
    '| ------- | ------- | ----- | ------------ | ---------- | --- |',
    ...rows,
    '',
  ].join('\n');
}
