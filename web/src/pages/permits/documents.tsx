import { useId, useState } from 'react';
import { formatNumber } from '../../format.js';

/** A document as the API records it: its name, media type, size and SHA-256 fingerprint. */
export interface DocumentReference {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/** At most this many documents go with one application or answer (as the API takes). */
export const MAX_DOCUMENTS = 20;

const hex = (buffer: ArrayBuffer): string =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

/** The reference of a chosen file: the file itself stays on the user's computer. */
export async function referenceOf(file: File): Promise<DocumentReference> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return {
    name: file.name,
    mediaType: file.type || 'application/octet-stream',
    size: file.size,
    sha256: hex(digest),
  };
}

/** A size as people read it: 980 bytes, 12.5 kB, 3.1 MB. */
export function sizeWords(bytes: number): string {
  if (bytes < 1000) return `${formatNumber(bytes)} bytes`;
  if (bytes < 1_000_000) return `${formatNumber(bytes / 1000, 1)} kB`;
  return `${formatNumber(bytes / 1_000_000, 1)} MB`;
}

/**
 * Choosing documents: a file picker (several at once, added to those chosen before), the list
 * chosen with a Remove button each, and the field's hint and error.
 */
export function DocumentPicker({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: readonly DocumentReference[];
  onChange: (documents: DocumentReference[]) => void;
  error?: string | null;
}) {
  const id = useId();
  const [reading, setReading] = useState(false);
  const hint =
    'The documents stay with you: the agency receives each one’s name, size and fingerprint (SHA-256), to check the copies you send against.';
  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setReading(true);
    try {
      const added = await Promise.all(Array.from(files).map(referenceOf));
      onChange([...value, ...added].slice(0, MAX_DOCUMENTS));
    } finally {
      setReading(false);
    }
  };
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={`${id}-files`}>{label}</label>
      <input
        id={`${id}-files`}
        type="file"
        multiple
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        onChange={(e) => {
          void add(e.target.files);
          e.target.value = '';
        }}
      />
      <span id={`${id}-hint`} className="hint">
        {reading ? 'Reading the files…' : hint}
      </span>
      {value.length > 0 && (
        <ul className="plain documents" aria-label={`${label} chosen`}>
          {value.map((d, k) => (
            <li key={`${d.sha256}-${k}`}>
              {d.name} <span className="note">({sizeWords(d.size)})</span>{' '}
              <button
                type="button"
                className="secondary"
                aria-label={`Remove ${d.name}`}
                onClick={() => onChange(value.filter((_, j) => j !== k))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
