import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode, type FieldIssue } from '../core/errors.js';

/** RFC 9457 problem details, with `errors` naming each offending field. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** `field` is a JSON pointer for JSON input, an element path for XML, or a header/parameter name. */
  errors?: Array<{ field: string; detail: string }>;
}

/** The one table that maps domain error codes to HTTP. */
const STATUS: Record<DomainErrorCode, { status: number; title: string }> = {
  invalid_input: { status: 400, title: 'Invalid input' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  rate_limited: { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

/** Problem type URI for a code: stable identifiers, documented in the OpenAPI description. */
export const problemType = (code: string): string =>
  `urn:greenlane:problem:${code.replace(/_/g, '-')}`;

export function problemFromDomainError(e: DomainError, instance?: string): ProblemDocument {
  const { status, title } = STATUS[e.code];
  return {
    type: problemType(e.code),
    title,
    status,
    detail: e.message,
    ...(instance ? { instance } : {}),
    ...(e.issues.length > 0 ? { errors: e.issues.map(toField) } : {}),
  };
}

function toField(i: FieldIssue): { field: string; detail: string; code?: string } {
  return { field: i.path, detail: i.reason, ...(i.code !== undefined ? { code: i.code } : {}) };
}

/** Sends a problem document with its status and media type. */
export function sendProblem(reply: FastifyReply, p: ProblemDocument): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer');
  if (p.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(p.status).type('application/problem+json').send(p);
}

const MAX_ISSUES = 100;

/** Fastify's own errors (body limits, media types, malformed JSON, schema validation) as problems. */
export function problemFromFastifyError(
  error: FastifyError,
  request: FastifyRequest,
): ProblemDocument {
  const instance = request.url.split('?')[0];
  if (error.validation) {
    return {
      type: problemType('invalid_input'),
      title: 'Invalid input',
      status: 400,
      detail:
        error.validation.length > MAX_ISSUES
          ? `the request is not valid (the first ${MAX_ISSUES} of ${error.validation.length} issues)`
          : 'the request is not valid',
      ...(instance ? { instance } : {}),
      // A body of 60,000 unknown keys must not answer with 60,000 issues (4 MB).
      errors: error.validation.slice(0, MAX_ISSUES).map((v) => ({
        field: `${error.validationContext ?? 'request'}${v.instancePath || ''}${
          v.keyword === 'required'
            ? `/${String((v.params as { missingProperty?: string }).missingProperty)}`
            : ''
        }`,
        detail: v.message ?? 'invalid',
      })),
    };
  }
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  const known: Record<string, { code: string; title: string; field?: string }> = {
    FST_ERR_CTP_BODY_TOO_LARGE: {
      code: 'payload_too_large',
      title: 'Payload too large',
      field: 'body',
    },
    FST_ERR_CTP_INVALID_MEDIA_TYPE: {
      code: 'unsupported_media_type',
      title: 'Unsupported media type',
      field: 'Content-Type',
    },
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
      code: 'invalid_input',
      title: 'Invalid input',
      field: 'Content-Length',
    },
    FST_ERR_BAD_URL: { code: 'invalid_input', title: 'Invalid input', field: 'path' },
    FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', title: 'URI too long', field: 'path' },
    FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_input', title: 'Invalid input', field: 'body' },
    FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_input', title: 'Invalid input', field: 'body' },
  };
  const k =
    (error.code && known[error.code]) ||
    (status === 400 ? { code: 'invalid_input', title: 'Invalid input', field: 'body' } : undefined);
  if (status >= 500 || !k) {
    return {
      type: problemType(status >= 500 ? 'internal' : 'http-error'),
      title: status >= 500 ? 'Internal server error' : 'Request refused',
      status,
      detail: status >= 500 ? 'the server failed; the error is logged' : error.message,
      ...(instance ? { instance } : {}),
    };
  }
  return {
    type: problemType(k.code),
    title: k.title,
    status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(k.field ? { errors: [{ field: k.field, detail: error.message }] } : {}),
  };
}

export { DomainError };
