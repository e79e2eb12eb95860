import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api-types.js';

/** The signed-in session, kept for the tab (sessionStorage), never in a cookie. */
const TOKEN_KEY = 'greenlane.token';
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

/** The typed API client: paths and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

export interface ProblemShape {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ field: string; detail: string }>;
}

/** A readable message from a problem document (RFC 9457) or any failure. */
export function describeProblem(error: unknown): string {
  if (error && typeof error === 'object') {
    const p = error as ProblemShape;
    const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.detail}`);
    if (p.detail || p.title) return [p.detail ?? p.title, ...fields].join(' — ');
  }
  return String(error);
}
