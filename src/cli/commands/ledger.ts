import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { principalOfUser } from '../../app/authenticate.js';
import { DEFAULT_LEDGER_SETTINGS, ledgerOrigin } from '../../app/ledger.js';
import { eventProof, runLedgerVerification } from '../../app/ledger-proofs.js';
import type { Config } from '../../config.js';
import { checkBundle, isBundle } from '../../core/ledger/bundle.js';
import { ed25519PublicKeyFromJwkX } from '../../core/ledger/note.js';
import { checkProofFile, ProofFileError } from '../../core/ledger/proof-file.js';
import { openKeyring } from '../../exchange/keyring.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { DEMO_NODE, DEMO_SQLITE_PATH } from './serve.js';

export interface LedgerCommandOptions {
  /** The demo's database and node key (as `serve --demo`). */
  demo?: boolean;
}

type Out = { out: (line: string) => void; err: (line: string) => void };
const stdio: Out = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

function configFor(config: Config, options: LedgerCommandOptions): Config {
  if (!options.demo) return config;
  return {
    ...config,
    databaseUrl: undefined,
    sqlitePath: path.resolve(DEMO_SQLITE_PATH),
    node: { ...config.node, id: DEMO_NODE.id, keyPath: path.resolve(DEMO_NODE.keyPath) },
  };
}

/** Opens the database and the node's public keys (the keyring file, read only: nothing is signed). */
async function openLedger(config: Config, log: Out): Promise<Runtime> {
  const runtime = await openRuntime(config);
  try {
    const node = await runtime.ctx.storage.read.exchange.node();
    let publicKeys: Uint8Array[] = [];
    let nodeId = node?.nodeId ?? config.node.id;
    try {
      const keyring = await openKeyring(config.node.keyPath, { now: new Date(), create: false });
      nodeId ??= keyring.nodeId;
      publicKeys = keyring.publicKeys().map((k) => ed25519PublicKeyFromJwkX(k.jwk.x));
    } catch (error) {
      log.err(
        `greenlane: the node's keys cannot be read (${error instanceof Error ? error.message : String(error)}): no checkpoint can verify`,
      );
    }
    if (nodeId === undefined)
      throw new Error(
        'the database is no exchange node and GREENLANE_NODE_ID is not set: its log has no origin',
      );
    runtime.ctx.ledger = {
      origin: ledgerOrigin(nodeId),
      ...DEFAULT_LEDGER_SETTINGS,
      keys: {
        signerAt: () => {
          throw new Error('the command line signs nothing');
        },
        publicKeys: () => publicKeys,
      },
    };
    return runtime;
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/**
 * `greenlane ledger verify`: recomputes the whole log from the database and checks every stored
 * checkpoint and cosignature; false (exit 1) naming the first event or checkpoint that does not
 * match.
 */
export async function ledgerVerify(
  config: Config,
  options: LedgerCommandOptions & { json?: boolean },
  log: Out = stdio,
): Promise<boolean> {
  const runtime = await openLedger(configFor(config, options), log);
  try {
    const started = performance.now();
    const r = await runLedgerVerification(runtime.ctx, 'cli');
    const seconds = (performance.now() - started) / 1000;
    if (options.json) log.out(JSON.stringify({ ...r, seconds: Number(seconds.toFixed(3)) }));
    else if (r.ok)
      log.out(
        `ledger verified: ${r.leaves} leaves, ${r.checkpoints} checkpoints, ${r.cosignatures} cosignatures (${seconds.toFixed(1)} s)`,
      );
    else log.out(`ledger NOT verified after ${r.leaves} leaves: ${r.problem}`);
    return r.ok;
  } finally {
    await runtime.close();
  }
}

/**
 * `greenlane ledger verify-proof FILE...`: checks proofs offline (inclusion and consistency proofs
 * in the form of the transparency-dev test vectors, and GreenLane proof bundles); one JSON line per
 * file; false (exit 1) when any is invalid or unreadable.
 */
export async function ledgerVerifyProof(
  files: readonly string[],
  options: { logKey?: string[] } = {},
  log: Out = stdio,
): Promise<boolean> {
  let allValid = true;
  for (const file of files) {
    let line: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(await readFile(file, 'utf8'));
      line = isBundle(value)
        ? { ...checkBundle(value, options.logKey) }
        : { ...checkProofFile(value) };
    } catch (error: unknown) {
      const why =
        error instanceof SyntaxError
          ? `not JSON (${error.message})`
          : error instanceof ProofFileError
            ? error.message
            : error instanceof Error
              ? error.message
              : String(error);
      line = { kind: null, valid: false, error: why };
    }
    if (line.valid !== true) allValid = false;
    log.out(JSON.stringify({ file, ...line }));
  }
  return allValid;
}

/** `greenlane ledger proof POSITION`: the proof bundle of one event, as the given user may get it. */
export async function ledgerProof(
  config: Config,
  position: number,
  options: LedgerCommandOptions & { user: string },
  log: Out = stdio,
): Promise<boolean> {
  const runtime = await openLedger(configFor(config, options), log);
  try {
    const principal = await principalOfUser(runtime.ctx, options.user);
    const r = await eventProof(runtime.ctx, principal, position);
    if (r.status === 'pending') {
      log.err(
        `greenlane: event ${position} is ${r.leafIdx === null ? 'not yet in the ledger' : `leaf ${r.leafIdx}, not yet in a checkpoint`}: try again after the next checkpoint`,
      );
      return false;
    }
    log.out(JSON.stringify(r.bundle, null, 2));
    return true;
  } finally {
    await runtime.close();
  }
}
