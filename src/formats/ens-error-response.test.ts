import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorsAsJson, renderErrorResponse } from './ens-error-response.js';

const CASES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/ens/rule-test-cases-315',
);
const golden = (name: string) =>
  readFileSync(path.join(CASES, name), 'utf8').replace(/<!--[\s\S]*?-->\n/, '');

const violation = {
  code: '8634',
  message:
    "The field 'City (box 8)' within Import Operation.Trader Consignee must not be present if the GB 'TIN' has been declared (C501)",
  location: '/ie:CC315A[1]/TRACONCE1[1]/CitCE124[1]',
  rule: 'p15_p84',
};

describe('renderErrorResponse', () => {
  it("renders violations as HMRC's err:ErrorResponse, byte for byte", () => {
    expect(renderErrorResponse([violation], { raisedBy: 'ChRIS' })).toBe(
      golden('CITCE124.0.1.ctl'),
    );
  });

  it('renders no violations as an empty response', () => {
    expect(renderErrorResponse([], { raisedBy: 'ChRIS' })).toBe(golden('MESSENMES3.0.50.ctl'));
  });

  it('escapes markup and names GreenLane by default', () => {
    const xml = renderErrorResponse([{ ...violation, message: 'a < b & c > d' }]);
    expect(xml).toContain('<err:Text>a &lt; b &amp; c &gt; d</err:Text>');
    expect(xml).toContain('<err:RaisedBy>GreenLane</err:RaisedBy>');
  });
});

describe('errorsAsJson', () => {
  it('keeps code, message, location and rule', () => {
    expect(errorsAsJson([violation])).toEqual([violation]);
  });
});
