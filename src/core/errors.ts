/** What went wrong, in domain words; the HTTP edge maps each code to a status and problem type. */
export type DomainErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'rate_limited'
  /** The database cannot be reached or the outcome of a commit is unknown: retry later. */
  | 'unavailable';

/** One problem with one field: `path` is a JSON pointer (`/goodsItems/0/hsCode`) or an XML path. */
export interface FieldIssue {
  path: string;
  reason: string;
  /** The error code of the business rule that failed, for messages checked by a rule pack. */
  code?: string;
}

/** A broken rule or refused request; expected outcomes are values, this is for the rest. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    /** For `unavailable`: seconds after which a retry may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Result of a validation: the normalised value, or every issue found. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };
