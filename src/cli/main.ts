import { Command, Option } from 'commander';
import { pathToFileURL } from 'node:url';
import { readConfig } from '../config.js';
import { DomainError } from '../core/errors.js';
import { ledgerProof, ledgerVerify, ledgerVerifyProof } from './commands/ledger.js';
import { libraryLoad } from './commands/library-load.js';
import { metrics } from './commands/metrics.js';
import { modelEvaluate, modelTrain } from './commands/model.js';
import type { Grouping } from '../app/metrics.js';
import { permitsDue, permitsList, permitsUsage } from './commands/permits.js';
import { adminCreate } from './commands/admin-create.js';
import { cargoValidate } from './commands/cargo-validate.js';
import { dbMigrate } from './commands/db-migrate.js';
import { importFiles } from './commands/import.js';
import { defaultWorkers, screenFiles } from './commands/screen.js';
import { DEMO_NODE, DEMO_PARTNER, DEMO_SQLITE_PATH, serve } from './commands/serve.js';

/** The `greenlane` command line. */
export function buildCli(): Command {
  const program = new Command('greenlane')
    .description('GreenLane: customs risk management and cooperation with environmental agencies')
    .showHelpAfterError();

  program
    .command('serve')
    .description(
      'start the HTTP API (embedded SQLite unless GREENLANE_DATABASE_URL is set), a node of the exchange when GREENLANE_NODE_ID is set',
    )
    .option(
      '--demo',
      `run the demo on its own database (${DEMO_SQLITE_PATH}) as exchange node ${DEMO_NODE.id}, with the demo partner ${DEMO_PARTNER.id} on the next port (${DEMO_PARTNER.sqlitePath}): on first start, create demo agencies, users (public password), activity and exchanged messages`,
      false,
    )
    .option(
      '--seed-demo',
      'seed the demo into the configured database (GREENLANE_DATABASE_URL or GREENLANE_SQLITE_PATH) when it is empty: never on a real install',
      false,
    )
    .action(async (opts: { demo: boolean; seedDemo: boolean }) => serve(readConfig(), opts));

  program
    .command('import')
    .description('lodge the declarations in NDJSON, CSV, JSON or WCO-DM XML files')
    .argument('<files...>', 'files to import (format from extension or content)')
    .option('-u, --user <username>', 'lodge as this user', 'admin')
    .addOption(
      new Option('-c, --concurrency <n>', 'declarations in flight').default(256).argParser(Number),
    )
    .option('--no-progress', 'no progress bar')
    .option(
      '--historic',
      'past declarations (administrators): any declaration date, validity judged on it',
    )
    .action(
      async (
        files: string[],
        opts: { user: string; concurrency: number; progress: boolean; historic?: boolean },
      ) => {
        const s = await importFiles(readConfig(), files, opts);
        process.stdout.write(
          `${s.files} file(s): ${s.read} read, ${s.accepted} accepted, ${s.rejected} rejected in ${s.seconds.toFixed(1)} s` +
            ` (${Math.round(s.accepted / Math.max(s.seconds, 0.001))} declarations/s)\n`,
        );
        if (s.rejected > 0) process.exitCode = 1;
      },
    );

  program
    .command('screen')
    .description('screen the declarations in files with the indicators in force, storing nothing')
    .argument('<files...>', 'NDJSON, CSV, JSON or WCO-DM XML files')
    .option(
      '-o, --out <file>',
      "where the NDJSON of assessments goes ('-' for standard output)",
      '-',
    )
    .addOption(
      new Option(
        '--seed <n>',
        'base of the random-selection seeds, for a reproducible run',
      ).argParser(Number),
    )
    .addOption(
      new Option('-w, --workers <n>', 'worker threads for NDJSON input')
        .default(defaultWorkers())
        .argParser(Number),
    )
    .option('--no-progress', 'no progress bar')
    .action(
      async (
        files: string[],
        opts: { out: string; seed?: number; progress: boolean; workers: number },
      ) => {
        const s = await screenFiles(readConfig(), files, opts);
        const lines = [
          `${s.files} file(s): ${s.read} read, ${s.accepted} screened, ${s.rejected} rejected in ${s.seconds.toFixed(1)} s` +
            ` (${Math.round(s.accepted / Math.max(s.seconds, 0.001))} declarations/s) against ${s.indicatorsInForce} indicators`,
          `channels: green ${s.channels.green}, yellow ${s.channels.yellow}, red ${s.channels.red}` +
            ` (random-selection seed base ${s.seedBase}: pass --seed ${s.seedBase} to redo this run)`,
          ...s.indicators
            .slice(0, 50)
            .map((i) => `  ${String(i.declarations).padStart(8)}  ${i.indicator}  ${i.title}`),
        ];
        if (s.indicators.length > 50)
          lines.push(`  … and ${s.indicators.length - 50} more indicators`);
        process.stderr.write(lines.join('\n') + '\n');
        if (s.rejected > 0) process.exitCode = 1;
      },
    );

  const admin = program.command('admin').description('administration');
  admin
    .command('create')
    .description(
      'create an administrator (and, on an empty database, its administration) and print an API token',
    )
    .requiredOption('--username <name>', 'username of the administrator')
    .option('--password <password>', 'password (generated and printed when omitted)')
    .option('--country <code>', 'country of the administration, on an empty database', 'BY')
    .option(
      '--administration <name>',
      'name of the administration, on an empty database',
      'Customs administration',
    )
    .action(
      async (opts: {
        username: string;
        password?: string;
        country: string;
        administration: string;
      }) => adminCreate(readConfig(), opts),
    );

  const library = program.command('library').description('the reference library of indicators');
  library
    .command('load')
    .description(
      'load the shipped indicators and lists as drafts submitted to the customs and environmental agencies for approval',
    )
    .option(
      '--as <username>',
      'author (a risk analyst or environmental officer); default: the first administrator, for customs',
    )
    .option('--co-author <codes...>', 'co-author agency codes; default: every environmental agency')
    .action(async (opts: { as?: string; coAuthor?: string[] }) => {
      await libraryLoad(readConfig(), opts);
    });

  const permits = program
    .command('permits')
    .description('the Single Window: permits and applications');
  permits
    .command('list')
    .description('permits and applications, with balance and deadline')
    .option('--holder <traderId>', 'only this holder')
    .option('--status <status>', 'only this status (issued, expired, under-review…)')
    .option('--type <type>', 'only this type (waste-consent, cites-import…)')
    .option('--json', 'one JSON object per line', false)
    .action(async (opts: { holder?: string; status?: string; type?: string; json: boolean }) =>
      permitsList(readConfig(), opts),
    );
  permits
    .command('due')
    .description('undecided applications due within the given hours, or overdue')
    .option('--within <hours>', 'hours ahead', (v) => Number.parseInt(v, 10), 24)
    .option('--agency <code>', 'only applications to this issuing agency')
    .option('--json', 'one JSON object per line', false)
    .action(async (opts: { within: number; agency?: string; json: boolean }) => {
      if (!Number.isInteger(opts.within) || opts.within < 0)
        throw new Error('--within must be a whole number of hours');
      await permitsDue(readConfig(), opts);
    });
  permits
    .command('usage <permit>')
    .description('what releases have drawn from a permit (id or number)')
    .option('--json', 'one JSON object per line', false)
    .action(async (ref: string, opts: { json: boolean }) =>
      permitsUsage(readConfig(), ref, opts.json),
    );

  program
    .command('metrics')
    .description('performance metrics for declarations lodged in a period (every agency)')
    .requiredOption('--from <date>', 'start of the period (inclusive)')
    .requiredOption('--to <date>', 'end of the period (exclusive)')
    .addOption(new Option('--format <format>', 'output').choices(['json', 'csv']).default('json'))
    .addOption(
      new Option('--group-by <grouping>', 'also per group').choices([
        'office',
        'agency',
        'priority-area',
      ]),
    )
    .action(async (opts: { from: string; to: string; format: string; groupBy?: Grouping }) =>
      metrics(readConfig(), opts),
    );

  const cargo = program.command('cargo').description('cargo: entry summary declarations (ENS)');
  cargo
    .command('validate')
    .description(
      "check ENS messages (IE315, IE313) against HMRC's business rules, offline; exit 1 if any is invalid",
    )
    .argument('<files...>', 'XML messages')
    .option(
      '--json',
      'one JSON object per file: {"file", "errors": [{code, location, message}]}',
      false,
    )
    .option('--pack <file>', 'a rule pack to use instead of library/rules/ens-ie315.json')
    .action(async (files: string[], opts: { json: boolean; pack?: string }) => {
      const s = await cargoValidate(files, opts);
      if (s.invalid > 0 || s.unreadable > 0) process.exitCode = 1;
    });

  const ledger = program
    .command('ledger')
    .description('the tamper-evident ledger: verify the log, check proofs, get a proof bundle');
  ledger
    .command('verify')
    .description(
      'recompute the whole log from the database and check every checkpoint and cosignature; exit 1 naming the first event or checkpoint that does not match',
    )
    .option('--demo', 'the demo node (its database and key, as serve --demo)', false)
    .option('--json', 'one JSON object', false)
    .action(async (opts: { demo: boolean; json: boolean }) => {
      if (!(await ledgerVerify(readConfig(), opts))) process.exitCode = 1;
    });
  ledger
    .command('verify-proof')
    .description(
      'check proof files offline (inclusion, consistency, GreenLane proof bundles): one JSON line per file; exit 1 if any is invalid',
    )
    .argument('<files...>', 'JSON proof files')
    .option(
      '--log-key <vkey...>',
      "the log's verifier key(s) to trust instead of those a bundle carries",
    )
    .action(async (files: string[], opts: { logKey?: string[] }) => {
      if (!(await ledgerVerifyProof(files, opts))) process.exitCode = 1;
    });
  ledger
    .command('proof')
    .description('print the proof bundle of one event (by its outbox position)')
    .argument('<position>', 'the event', Number)
    .option('-u, --user <username>', 'as this user (access as in the console)', 'admin')
    .option('--demo', 'the demo node (its database and key, as serve --demo)', false)
    .action(async (position: number, opts: { user: string; demo: boolean }) => {
      if (!(await ledgerProof(readConfig(), position, opts))) process.exitCode = 1;
    });

  const model = program
    .command('model')
    .description('the learned risk model (gradient-boosted trees)');
  model
    .command('evaluate')
    .description(
      'train on a Korea Customs Service CSV (train), early-stop on valid only, and print the figures on test: precision@1/2/5/10 %, recall@5 %, AUC, calibration deciles',
    )
    .requiredOption('--train <file>', 'training rows (KCS CSV form)')
    .requiredOption('--valid <file>', 'validation rows, for early stopping only')
    .requiredOption('--test <file>', 'held-back rows the figures are computed on')
    .addOption(new Option('--seed <n>', 'seed of the draws and folds').default(1).argParser(Number))
    .option('--out <file>', 'write the model JSON (with its feature statistics) here')
    .addOption(
      new Option('--leaves <n>', 'leaves per tree at most (default 511)').argParser(Number),
    )
    .addOption(new Option('--rate <x>', 'learning rate (default 0.15)').argParser(Number))
    .addOption(
      new Option('--rounds <n>', 'boosting rounds at most (default 1000)').argParser(Number),
    )
    .action(
      (opts: {
        train: string;
        valid: string;
        test: string;
        seed: number;
        out?: string;
        leaves?: number;
        rate?: number;
        rounds?: number;
      }) => {
        modelEvaluate(opts);
      },
    );
  model
    .command('train')
    .description(
      "train a version on the database's inspection outcomes (controls lodged in [from, to)), store it as a draft and print its card; a second analyst approves it in the console or the API",
    )
    .option('--from <date>', "first lodging date learned from (the database's controls)")
    .option('--to <date>', 'end of the window (exclusive)')
    .option(
      '--declarations <files...>',
      'learn from these declaration files (CSV, NDJSON, JSON, WCO XML) instead of the database',
    )
    .option(
      '--outcomes <file>',
      'with --declarations: CSV of reference, finding (0/1)[, random, randomShare, traderControls, traderFindings]',
    )
    .option(
      '--evaluate-from <date>',
      'start of the held-back period (default: the latest fifth of the controls)',
    )
    .addOption(new Option('--seed <n>', 'seed of the draws').default(1).argParser(Number))
    .option('-u, --user <username>', 'as this customs risk analyst', 'analyst')
    .action(
      async (opts: {
        from?: string;
        to?: string;
        declarations?: string[];
        outcomes?: string;
        evaluateFrom?: string;
        seed: number;
        user: string;
      }) => {
        await modelTrain(readConfig(), opts);
      },
    );

  const db = program.command('db').description('database');
  db.command('migrate')
    .description('bring the database schema up to date')
    .action(async () => dbMigrate(readConfig()));
  return program;
}

/** Runs the command line; a refused command prints its reasons and exits 2. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`greenlane: ${message}\n`);
    if (error instanceof DomainError)
      for (const i of error.issues) process.stderr.write(`  ${i.path}: ${i.reason}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await runCli(process.argv);
