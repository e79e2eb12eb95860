import { readFileSync, writeFileSync } from 'node:fs';
import { fillParts, generatedParts } from '../src/exchange/protocol-doc.js';

/**
 * Rewrites the generated parts of docs/exchange-protocol.md: the envelope and body tables (from
 * the TypeBox schemas) and the worked example (built, canonicalised and signed by the code with
 * the RFC 8037 / RFC 8032 test keys). `npm run docs:exchange`; src/exchange/protocol-doc.test.ts
 * fails when the document and the code disagree.
 */
const path = new URL('../docs/exchange-protocol.md', import.meta.url);
writeFileSync(path, fillParts(readFileSync(path, 'utf8'), await generatedParts()));
