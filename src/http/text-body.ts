import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../core/errors.js';

/** Takes bodies of these content types as UTF-8 text (a 400 naming the body otherwise). */
export function acceptTextBodies(app: FastifyInstance, types: string[]): void {
  app.addContentTypeParser(types, { parseAs: 'buffer' }, (_req, body, done) => {
    if (!isUtf8(body as Buffer))
      return done(
        new DomainError('invalid_input', 'the body is not valid UTF-8', [
          { path: 'body', reason: 'not valid UTF-8' },
        ]),
      );
    done(null, (body as Buffer).toString('utf8'));
  });
}
