/**
 * One normalised request path for the router and for every check that reads the URL (RFC 3986
 * section 6.2.2): percent-encoded unreserved characters decoded (`/%6detrics` is `/metrics`),
 * hex digits of the remaining escapes upper-cased, dot segments removed (`/api/x/../y` is
 * `/api/y`) and runs of slashes collapsed. Escapes that would change the path's structure once
 * decoded (`%2F`, `%5C`, `%00`), a backslash, control characters and malformed escapes make the
 * path unusable: the request is refused rather than guessed at.
 */
export type NormalisedPath = { ok: true; url: string } | { ok: false; reason: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const FORBIDDEN_ESCAPES = new Set(['2F', '5C', '00']);

export function normaliseUrl(raw: string): NormalisedPath {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q);
  if (!path.startsWith('/')) return { ok: false, reason: 'the path must start with /' };
  if (/[\\\x00-\x1f\x7f]/.test(path))
    return { ok: false, reason: 'the path holds a backslash or a control character' };

  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c !== '%') {
      decoded += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3).toUpperCase();
    if (!/^[0-9A-F]{2}$/.test(hex)) return { ok: false, reason: 'malformed percent-encoding' };
    if (FORBIDDEN_ESCAPES.has(hex))
      return { ok: false, reason: `an encoded %${hex} is not allowed in a path` };
    const ch = String.fromCharCode(parseInt(hex, 16));
    decoded += UNRESERVED.test(ch) ? ch : `%${hex}`;
    i += 2;
  }

  const out: string[] = [];
  const segments = decoded.split('/');
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '..') out.pop();
    else if (s !== '.' && s !== '') out.push(s);
    if (last && (s === '' || s === '.' || s === '..') && out.length > 0) out.push('');
  }
  // A trailing slash is kept (the console's static files and the router distinguish it).
  const normal = '/' + out.join('/');
  return { ok: true, url: normal + query };
}
