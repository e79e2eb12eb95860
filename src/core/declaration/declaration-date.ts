import type { FieldIssue } from '../errors.js';

/**
 * How far the declared date (`submittedAt`) may stray from receipt. Validity is judged on receipt
 * whatever the declarant writes; the window stops dates that can only be mistakes or back-dating
 * (a declaration "of 2099", or of last year lodged today). History older than this comes in
 * through an administrator's import (`greenlane import --historic`), not through a lodging.
 */
export const DECLARATION_DATE_WINDOW = {
  /** Clocks differ and time zones confuse: up to a day ahead of receipt. */
  aheadMs: 24 * 3_600_000,
  /** A declaration drawn up and lodged later (e.g. a supplementary one): up to 30 days before. */
  behindMs: 30 * 86_400_000,
} as const;

/** Issues when the declared date lies outside the window around receipt (none when inside). */
export function checkDeclarationDate(
  submittedAt: string,
  receivedAt: string,
  window: { aheadMs: number; behindMs: number } = DECLARATION_DATE_WINDOW,
): FieldIssue[] {
  const declared = Date.parse(submittedAt);
  const received = Date.parse(receivedAt);
  if (declared > received + window.aheadMs) {
    return [
      {
        path: '/submittedAt',
        reason: `more than ${window.aheadMs / 3_600_000} h after receipt (${receivedAt})`,
      },
    ];
  }
  if (declared < received - window.behindMs) {
    return [
      {
        path: '/submittedAt',
        reason: `more than ${window.behindMs / 86_400_000} days before receipt (${receivedAt})`,
      },
    ];
  }
  return [];
}
