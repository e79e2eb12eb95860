// One of the processes of the SQLite draw-down concurrency test: opens the shared database file
// and releases its share of the declarations all at once, then prints what happened as JSON.
// usage: node --import tsx release-worker.ts SQLITE_PATH TOKEN MODE PERMIT_ID IDS_JSON_FILE
import { readFileSync } from 'node:fs';
import { authenticate } from '../app/authenticate.js';
import { releaseDeclaration } from '../app/manage-permits.js';
import { DomainError } from '../core/errors.js';
import { openDatabase } from '../storage/database.js';
import { testContext } from './app.js';
import { naiveRelease } from './naive-release.js';

const [sqlitePath, token, mode, permitId, idsFile] = process.argv.slice(2) as [
  string,
  string,
  'correct' | 'naive',
  string,
  string,
];
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
const db = await openDatabase({ sqlitePath, migrate: false });
const ctx = testContext(db);
const principal = await authenticate(ctx, token);
const at = new Date().toISOString();
const results = await Promise.allSettled(
  ids.map((id) =>
    mode === 'naive'
      ? naiveRelease(db, id, permitId, 1000, at)
      : releaseDeclaration(ctx, principal, id),
  ),
);
const refused = results.filter(
  (r) => r.status === 'rejected' && r.reason instanceof DomainError && r.reason.code === 'conflict',
).length;
const failed = results.flatMap((r) =>
  r.status === 'rejected' && !(r.reason instanceof DomainError && r.reason.code === 'conflict')
    ? [String(r.reason)]
    : [],
);
await db.close();
process.stdout.write(
  JSON.stringify({
    released: results.filter((r) => r.status === 'fulfilled').length,
    refused,
    failed,
  }),
);
