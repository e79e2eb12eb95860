import { assertAllowed } from '../core/auth/policy.js';
import type { Principal } from '../core/auth/identity.js';
import { DomainError } from '../core/errors.js';
import {
  addSignatures,
  ed25519PublicKeyFromJwkX,
  ed25519Verifier,
  NoteError,
  openNote,
  parseNote,
  signNote,
  type NoteVerifier,
} from '../core/ledger/note.js';
import { CANONICAL_UNIT } from '../core/reconciliation/energy.js';
import {
  firstDifference,
  MAX_STATEMENT_ROWS,
  parseStatementHeader,
  statementOf,
  statementText,
} from '../core/reconciliation/energy-statement.js';
import type { EnergyPoint } from '../core/reconciliation/energy-point.js';
import type { AppContext } from './context.js';
import { exchangeOf } from './exchange.js';
import { reconcilePoint } from './manage-energy.js';

/**
 * Reconciliation statements for the partner: the figures of a point over a period as both sides
 * can sign them (core/reconciliation/energy-statement.ts), signed with the node's key as a C2SP
 * signed note; a partner's statement checked against our own records and countersigned when
 * every line agrees, so the note then carries both administrations' signatures.
 */

/** Longest note accepted (a year of hours in both directions, two signatures). */
export const MAX_NOTE_BYTES = 2_000_000;

export interface SignedStatement {
  /** The text both sides sign. */
  text: string;
  /** The text and its signatures (C2SP signed note). */
  note: string;
  /** Nodes whose signatures verified, in the note's order. */
  signedBy: string[];
  rows: number;
}

async function ourText(
  ctx: AppContext,
  principal: Principal,
  point: EnergyPoint,
  period: { from?: string; to?: string },
): Promise<{ text: string; rows: number }> {
  const rt = exchangeOf(ctx);
  const rec = await reconcilePoint(ctx, principal, point.id, period);
  const s = statementOf(
    { node: rt.nodeId, pointId: point.id },
    { node: point.partner, pointId: point.partnerPointId ?? point.id },
    point.commodity,
    CANONICAL_UNIT[point.commodity],
    { from: rec.from, to: rec.to },
    rec.pairs,
  );
  if (s.rows.length > MAX_STATEMENT_ROWS)
    throw new DomainError(
      'invalid_input',
      `more than ${MAX_STATEMENT_ROWS} rows: ask for a shorter period`,
      [{ path: '/querystring/to', reason: 'too far after from' }],
    );
  return { text: statementText(s), rows: s.rows.length };
}

/** The text signed by this node alone, as a note. */
async function signedByUs(ctx: AppContext, text: string): Promise<string> {
  const rt = exchangeOf(ctx);
  return signNote(text, [{ name: rt.nodeId, ...rt.rawSigner(ctx.clock.now()) }]);
}

/** Our statement of a point over a period, signed by this node. */
export async function energyStatement(
  ctx: AppContext,
  principal: Principal,
  pointId: string,
  period: { from?: string; to?: string },
): Promise<SignedStatement> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'send', 'exchange-message', { administrationId: rt.administrationId });
  const point = await ctx.storage.read.energy.findPoint(principal.administrationId, pointId);
  if (!point) throw new DomainError('not_found', `no interconnection point ${pointId}`);
  const { text, rows } = await ourText(ctx, principal, point, period);
  if (rows === 0) throw new DomainError('conflict', `no figures of point ${pointId} in the period`);
  const note = await signedByUs(ctx, text);
  return { text, note, signedBy: [rt.nodeId], rows };
}

export interface CheckedStatement {
  pointId: string;
  partner: string;
  from: string;
  to: string;
  rows: number;
  signedBy: string[];
  /** True when our records give exactly the same text. */
  matchesOurFigures: boolean;
  firstDifference: { line: number; ours: string | null; theirs: string | null } | null;
}

/**
 * Checks a statement a partner signed: it names our point and the partner, the partner's
 * signature verifies with a key it published (and did not revoke), and our own records give the
 * same text line by line (the first line that differs is named).
 */
export async function checkStatement(
  ctx: AppContext,
  principal: Principal,
  note: string,
): Promise<CheckedStatement & { text: string; point: EnergyPoint }> {
  const rt = exchangeOf(ctx);
  // The node's statements are its administration's: staff of another one sharing the database
  // get nothing from it.
  assertAllowed(principal, 'read', 'energy-flow', { administrationId: rt.administrationId });
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES)
    throw new DomainError('invalid_input', 'the statement is too long', [
      { path: '/note', reason: `at most ${MAX_NOTE_BYTES} bytes` },
    ]);
  let text: string;
  try {
    text = parseNote(note).text;
  } catch (e) {
    throw new DomainError('invalid_input', 'not a signed note', [
      { path: '/note', reason: e instanceof NoteError ? e.message : 'not a signed note' },
    ]);
  }
  const header = parseStatementHeader(text);
  if (!header.ok)
    throw new DomainError('invalid_input', 'not a reconciliation statement', [
      { path: '/note', reason: header.reason },
    ]);
  const ours = header.value.sides.find((s) => s.node === rt.nodeId);
  const theirs = header.value.sides.find((s) => s.node !== rt.nodeId)!;
  if (!ours)
    throw new DomainError('invalid_input', `the statement is not about this node (${rt.nodeId})`, [
      { path: '/note', reason: 'lines 2 and 3 name the two sides' },
    ]);
  const point = await ctx.storage.read.energy.findPoint(principal.administrationId, ours.pointId);
  if (!point || point.partner !== theirs.node)
    throw new DomainError(
      'not_found',
      `no interconnection point ${ours.pointId} with ${theirs.node}`,
    );
  const verifiers: NoteVerifier[] = [];
  for (const node of [theirs.node, rt.nodeId]) {
    const keys =
      node === rt.nodeId
        ? rt.signer.publicKeys()
        : (await ctx.storage.read.exchange.keysOf(node)).filter((k) => !k.revokedAt);
    for (const k of keys) verifiers.push(ed25519Verifier(node, ed25519PublicKeyFromJwkX(k.jwk.x)));
  }
  let signedBy: string[];
  try {
    signedBy = openNote(note, verifiers).verified.map((s) => s.name);
  } catch (e) {
    throw new DomainError('invalid_input', 'the signatures do not verify', [
      { path: '/note', reason: e instanceof NoteError ? e.message : 'bad signature' },
    ]);
  }
  if (!signedBy.includes(theirs.node))
    throw new DomainError('invalid_input', `not signed by ${theirs.node}`, [
      { path: '/note', reason: `no valid signature of ${theirs.node}` },
    ]);
  const mine = await ourText(ctx, principal, point, {
    from: header.value.from,
    to: header.value.to,
  });
  const diff = firstDifference(mine.text, text);
  return {
    pointId: point.id,
    partner: theirs.node,
    from: header.value.from,
    to: header.value.to,
    rows: header.value.rows,
    signedBy,
    matchesOurFigures: diff === null,
    firstDifference: diff,
    text,
    point,
  };
}

/**
 * Adds this node's signature to a partner's statement when our records give exactly its text;
 * refused (409, naming the first line that differs) otherwise. Signing twice gives the same note.
 */
export async function countersignStatement(
  ctx: AppContext,
  principal: Principal,
  note: string,
): Promise<SignedStatement> {
  const rt = exchangeOf(ctx);
  assertAllowed(principal, 'send', 'exchange-message', { administrationId: rt.administrationId });
  const checked = await checkStatement(ctx, principal, note);
  if (!checked.matchesOurFigures) {
    const d = checked.firstDifference!;
    throw new DomainError(
      'conflict',
      `our figures differ at line ${d.line}: ours "${d.ours ?? '(none)'}", the statement's "${d.theirs ?? '(none)'}"`,
    );
  }
  if (checked.signedBy.includes(rt.nodeId))
    return { text: checked.text, note, signedBy: checked.signedBy, rows: checked.rows };
  const ours = parseNote(await signedByUs(ctx, checked.text)).signatures[0]!;
  const signed = addSignatures(note, [ours.line]);
  await ctx.storage.write(async (tx) => {
    await tx.audit.append({
      at: ctx.clock.now().toISOString(),
      agencyId: principal.agencyId,
      actorId: principal.userId,
      action: 'energy-statement.countersigned',
      subjectType: 'energy-point',
      subjectId: checked.pointId,
      details: { partner: checked.partner, from: checked.from, to: checked.to, rows: checked.rows },
    });
  });
  return {
    text: checked.text,
    note: signed,
    signedBy: [...checked.signedBy, rt.nodeId],
    rows: checked.rows,
  };
}
