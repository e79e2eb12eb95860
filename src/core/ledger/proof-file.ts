import { HASH_SIZE, ProofError, verifyConsistency, verifyInclusion, type Hash } from './merkle.js';

/** The outcome of checking one proof file: its kind, whether it verifies, and if not why. */
export interface ProofFileResult {
  kind: 'inclusion' | 'consistency';
  valid: boolean;
  error?: string;
}

/** A value that is not a proof file; the message names the missing or wrong field. */
export class ProofFileError extends Error {
  override readonly name = 'ProofFileError';
}

type Fields = Record<string, unknown>;

/** A hash as read from the file: its bytes, or why they are not a hash. */
type Decoded = { ok: true; hash: Hash } | { ok: false; error: string };

/** One kind of proof file: the fields that identify it and how to check it. */
interface ProofFileKind {
  kind: ProofFileResult['kind'];
  fields: readonly string[];
  check(file: Fields): ProofFileResult;
}

const KINDS: readonly ProofFileKind[] = [
  {
    kind: 'inclusion',
    fields: ['leafIdx', 'treeSize', 'root', 'leafHash', 'proof'],
    check(file) {
      const leafIdx = integerField(file, 'leafIdx');
      const treeSize = integerField(file, 'treeSize');
      const hashes = [
        base64Field(file, 'root'),
        base64Field(file, 'leafHash'),
        ...proofField(file),
      ];
      return verified('inclusion', hashes, ([root, leafHash, ...proof]) =>
        verifyInclusion(leafIdx, treeSize, leafHash as Hash, proof, root as Hash),
      );
    },
  },
  {
    kind: 'consistency',
    fields: ['size1', 'size2', 'root1', 'root2', 'proof'],
    check(file) {
      const size1 = integerField(file, 'size1');
      const size2 = integerField(file, 'size2');
      // Roots of equal sizes are only compared (as upstream), so they may be of any length.
      const any = size1 === size2;
      const hashes = [
        base64Field(file, 'root1', any),
        base64Field(file, 'root2', any),
        ...proofField(file),
      ];
      return verified('consistency', hashes, ([root1, root2, ...proof]) =>
        verifyConsistency(size1, size2, root1 as Hash, root2 as Hash, proof),
      );
    },
  },
];

/** Checks one proof file in the form of the transparency-dev/merkle test vectors (base64 hashes). */
export function checkProofFile(value: unknown): ProofFileResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProofFileError('a proof file must be a JSON object');
  }
  const file = value as Fields;
  // A file is of the kind whose distinctive fields (all but the shared `proof`) it has any of.
  const matches = KINDS.filter((k) =>
    k.fields.some((f) => f !== 'proof' && Object.hasOwn(file, f)),
  );
  const [only] = matches;
  if (only === undefined || matches.length > 1) {
    const shapes = KINDS.map((k) => `${k.kind} (${k.fields.join(', ')})`).join(' or ');
    throw new ProofFileError(
      matches.length > 1
        ? `a proof file has the fields of one kind only: ${shapes}`
        : `not a proof file: expected the fields of ${shapes}`,
    );
  }
  return only.check(file);
}

function integerField(file: Fields, name: string): number {
  const value = file[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ProofFileError(`${name} must be a non-negative integer`);
  }
  return value;
}

function base64Field(file: Fields, name: string, anyLength = false): Decoded {
  const value = file[name];
  if (typeof value !== 'string') throw new ProofFileError(`${name} must be a base64 string`);
  return decodeHash(name, value, anyLength);
}

function proofField(file: Fields): Decoded[] {
  const value = file.proof;
  if (value === null) return [];
  if (!Array.isArray(value)) {
    throw new ProofFileError('proof must be null or an array of base64 strings');
  }
  return value.map((item: unknown, i) => {
    if (typeof item !== 'string') throw new ProofFileError(`proof[${i}] must be a base64 string`);
    return decodeHash(`proof[${i}]`, item);
  });
}

// Standard alphabet, padding required, no whitespace: what Go's base64.StdEncoding accepts.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeHash(name: string, text: string, anyLength = false): Decoded {
  if (!BASE64.test(text)) return { ok: false, error: `${name} is not valid base64` };
  const binary = atob(text);
  if (!anyLength && binary.length !== HASH_SIZE) {
    return { ok: false, error: `${name} is ${binary.length} bytes, not a ${HASH_SIZE}-byte hash` };
  }
  const hash = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) hash[i] = binary.charCodeAt(i);
  return { ok: true, hash };
}

/** Runs a verifier over decoded hashes: a hash that did not decode, or a ProofError, is invalid. */
function verified(
  kind: ProofFileResult['kind'],
  decoded: readonly Decoded[],
  verify: (hashes: Hash[]) => void,
): ProofFileResult {
  const hashes: Hash[] = [];
  for (const d of decoded) {
    if (!d.ok) return { kind, valid: false, error: d.error };
    hashes.push(d.hash);
  }
  try {
    verify(hashes);
    return { kind, valid: true };
  } catch (e) {
    if (e instanceof ProofError) return { kind, valid: false, error: e.message };
    throw e;
  }
}
