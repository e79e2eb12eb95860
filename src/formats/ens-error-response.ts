import type { Violation } from '../core/rules/validate-message-tree.js';

const ERR_NS = 'http://www.govtalk.gov.uk/CM/errorresponse';
const DSL_NS = 'http://decisionsoft.com/rim/errorExtension';

export interface ErrorResponseOptions {
  /** Who raised the errors (`err:RaisedBy`); HMRC's responses say ChRIS. */
  raisedBy?: string;
}

/**
 * Violations as the `err:ErrorResponse` document HMRC answers an ENS with (GovTalk error
 * response, SchemaVersion 2.0): one `err:Error` of type business per violation, in order.
 * No violations gives an empty response, as HMRC's rule tests expect for a valid message.
 */
export function renderErrorResponse(
  violations: readonly Violation[],
  options: ErrorResponseOptions = {},
): string {
  const raisedBy = escapeXml(options.raisedBy ?? 'GreenLane');
  const open = `<err:ErrorResponse xmlns:err="${ERR_NS}" xmlns:dsl="${DSL_NS}" SchemaVersion="2.0"`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (violations.length === 0) {
    lines.push(`${open}/>`);
  } else {
    lines.push(`${open}>`);
    for (const v of violations) {
      lines.push(
        '  <err:Error>',
        `    <err:RaisedBy>${raisedBy}</err:RaisedBy>`,
        `    <err:Number>${escapeXml(v.code)}</err:Number>`,
        '    <err:Type>business</err:Type>',
        `    <err:Text>${escapeXml(v.message)}</err:Text>`,
        `    <err:Location>${escapeXml(v.location)}</err:Location>`,
        '  </err:Error>',
      );
    }
    lines.push('</err:ErrorResponse>');
  }
  return lines.join('\n') + '\n';
}

/** One error as JSON: `{ code, message, location, rule }` (the rule that found it). */
export interface ErrorJson {
  code: string;
  message: string;
  location: string;
  rule: string;
}

/** Violations as plain JSON objects, in order. */
export function errorsAsJson(violations: readonly Violation[]): ErrorJson[] {
  return violations.map(({ code, message, location, rule }) => ({ code, message, location, rule }));
}

/** Escapes element content (quotes stay as they are, as in HMRC's responses). */
function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}
