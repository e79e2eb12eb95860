import { decodeBase64, encodeBase64 } from './bytes.js';
import { badCharacter, NoteError } from './note.js';

/**
 * C2SP checkpoints (c2sp.org/tlog-checkpoint@v1.0.0): the text of a signed note that states a
 * log's Merkle tree head — origin, tree size, root hash, then optional extension lines.
 */

/** A log's tree head: `size` leaves whose RFC 6962 SHA-256 Merkle root is `root` (32 bytes). */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

/** SHA-256, the hash of GreenLane's Merkle trees. */
const ROOT_BYTES = 32;
/** 2^63 − 1, the largest tree size the spec allows: 19 decimal digits. */
const MAX_SPEC_SIZE = 2n ** 63n - 1n;

/** The note text (body) of the checkpoint, ending in a newline. */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine(c.origin, 1, 'origin');
  if (!Number.isSafeInteger(c.size) || c.size < 0) {
    throw new NoteError(
      `checkpoint tree size ${c.size} is not a whole number from 0 to 2^53 − 1 (Number.MAX_SAFE_INTEGER)`,
    );
  }
  if (c.root.length !== ROOT_BYTES) {
    throw new NoteError(
      `checkpoint root hash is ${c.root.length} bytes, not ${ROOT_BYTES} (SHA-256)`,
    );
  }
  c.extensions.forEach((line, i) => checkLine(line, i + 4, 'extension'));
  return [c.origin, String(c.size), encodeBase64(c.root), ...c.extensions]
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * The checkpoint in a note text; NoteError naming the line that is wrong. Sizes beyond 2^53 − 1
 * are refused even though the spec allows up to 2^63 − 1: GreenLane counts leaves in JS numbers.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (text === '') throw new NoteError('checkpoint is empty');
  if (!text.endsWith('\n')) throw new NoteError('checkpoint does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const bad = badCharacter(line);
    if (bad !== null) throw new NoteError(`checkpoint line ${i + 1} contains ${bad}`);
  });
  const [origin = '', size, root, ...extensions] = lines;
  if (origin === '') throw new NoteError('checkpoint line 1 (origin) is empty');
  if (size === undefined) throw new NoteError('checkpoint line 2 (tree size) is missing');
  if (root === undefined) throw new NoteError('checkpoint line 3 (root hash) is missing');
  extensions.forEach((line, i) => {
    if (line !== '') return;
    // The usual way to get here: handing over the whole signed note instead of its text.
    const hint = extensions.slice(i + 1).some((l) => l.startsWith('\u2014 '))
      ? ' (is this a whole signed note? pass its text)'
      : '';
    throw new NoteError(`checkpoint line ${i + 4} (extension) is empty${hint}`);
  });
  return { origin, size: parseSize(size), root: parseRoot(root), extensions };
}

function parseSize(line: string): number {
  const what = `checkpoint line 2 (tree size) ${JSON.stringify(line)}`;
  if (line === '') throw new NoteError('checkpoint line 2 (tree size) is empty');
  if (!/^[0-9]+$/.test(line)) throw new NoteError(`${what} is not a decimal number`);
  if (line.length > 1 && line.startsWith('0')) throw new NoteError(`${what} has a leading zero`);
  if (line.length > 19 || BigInt(line) > MAX_SPEC_SIZE) {
    throw new NoteError(`${what} exceeds 2^63 − 1, the largest tree size of a checkpoint`);
  }
  const size = Number(line);
  if (!Number.isSafeInteger(size)) {
    throw new NoteError(`${what} exceeds 2^53 − 1, the largest tree size GreenLane handles`);
  }
  return size;
}

function parseRoot(line: string): Uint8Array {
  const what = `checkpoint line 3 (root hash) ${JSON.stringify(line)}`;
  const root = decodeBase64(line);
  if (root === null) throw new NoteError(`${what} is not base64`);
  if (root.length !== ROOT_BYTES) {
    throw new NoteError(`${what} is ${root.length} bytes, not ${ROOT_BYTES} (SHA-256)`);
  }
  return root;
}

function checkLine(line: string, number: number, what: string): void {
  if (line === '') throw new NoteError(`checkpoint line ${number} (${what}) is empty`);
  if (line.includes('\n'))
    throw new NoteError(`checkpoint line ${number} (${what}) holds a newline`);
  const bad = badCharacter(line);
  if (bad !== null) throw new NoteError(`checkpoint line ${number} (${what}) contains ${bad}`);
}
