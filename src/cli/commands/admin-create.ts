import { createAdmin, loadLibraryOnFirstStart } from '../../app/bootstrap.js';
import { describeLoad } from './library-load.js';
import type { Config } from '../../config.js';
import { describeDatabase, openRuntime } from '../runtime.js';

/** `greenlane admin create`: a first administrator and an API token for it. */
export async function adminCreate(
  config: Config,
  options: { username: string; password?: string; country: string; administration: string },
): Promise<void> {
  const runtime = await openRuntime(config);
  try {
    const created = await createAdmin(runtime.ctx, {
      username: options.username,
      ...(options.password !== undefined ? { password: options.password } : {}),
      country: options.country,
      administrationName: options.administration,
    });
    const library = await loadLibraryOnFirstStart(runtime.ctx);
    process.stdout.write(
      [
        `Administrator '${created.username}' created in ${describeDatabase(config)}.`,
        ...(library ? [describeLoad(library)] : []),
        options.password === undefined
          ? `Password (generated, shown once): ${created.password}`
          : 'Password: as given.',
        'API token (shown once; use as "Authorization: Bearer <token>"):',
        created.token,
        '',
      ].join('\n'),
    );
  } finally {
    await runtime.close();
  }
}
