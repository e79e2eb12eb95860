import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.js';
import { buildHttpApp } from '../http/app.js';

/** The HTTP app over a test context, with small limits so the limit paths can be tested. */
export function testHttpApp(
  ctx: AppContext,
  over: { bodyLimitBytes?: number; signInLimit?: { max: number; windowMs: number } } = {},
): Promise<FastifyInstance> {
  return buildHttpApp({
    ctx,
    bodyLimitBytes: over.bodyLimitBytes ?? 1024 * 1024,
    signInLimit: over.signInLimit ?? { max: 5, windowMs: 60_000 },
    // GREENLANE_TEST_LOG=error shows what a 500 in a test was.
    ...(process.env.GREENLANE_TEST_LOG
      ? { logger: { level: process.env.GREENLANE_TEST_LOG } }
      : {}),
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
