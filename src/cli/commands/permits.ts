import type { Config } from '../../config.js';
import { effectiveStatus, fromMilli, type Permit } from '../../core/permits/permit.js';
import { openRuntime } from '../runtime.js';

/** Operator views of the Single Window from the command line (the API enforces per-user access). */
export async function permitsList(
  config: Config,
  options: { holder?: string; status?: string; type?: string; json: boolean },
): Promise<void> {
  const runtime = await openRuntime(config);
  try {
    const now = new Date().toISOString();
    const permits = (
      await runtime.ctx.storage.read.permits.list({
        ...(options.holder !== undefined ? { holderId: options.holder } : {}),
        ...(options.type !== undefined ? { type: options.type } : {}),
        limit: 10_000,
      })
    ).filter((p) => options.status === undefined || effectiveStatus(p, now) === options.status);
    print(permits, now, options.json);
  } finally {
    await runtime.close();
  }
}

export async function permitsDue(
  config: Config,
  options: { within: number; agency?: string; json: boolean },
): Promise<void> {
  const runtime = await openRuntime(config);
  try {
    const read = runtime.ctx.storage.read;
    let issuerAgencyId: string | undefined;
    if (options.agency !== undefined) {
      const agency = await read.identity.findAgencyByCode(options.agency);
      if (!agency) throw new Error(`no agency with code '${options.agency}'`);
      issuerAgencyId = agency.id;
    }
    const now = new Date();
    const horizon = new Date(now.getTime() + options.within * 3600_000).toISOString();
    const open = await read.permits.list({
      ...(issuerAgencyId !== undefined ? { issuerAgencyId } : {}),
      statuses: ['applied', 'under-review', 'information-requested'],
      limit: 10_000,
    });
    print(
      open.filter((p) => p.deadline <= horizon),
      now.toISOString(),
      options.json,
    );
  } finally {
    await runtime.close();
  }
}

export async function permitsUsage(config: Config, ref: string, json: boolean): Promise<void> {
  const runtime = await openRuntime(config);
  try {
    const read = runtime.ctx.storage.read;
    const permit =
      (await read.permits.find(ref)) ??
      (await read.permits.list({ limit: 100_000 })).find((p) => p.number === ref);
    if (!permit) throw new Error(`no permit with id or number '${ref}'`);
    const usage = await read.permits.usage(permit.id);
    if (json) {
      for (const u of usage) process.stdout.write(JSON.stringify(u) + '\n');
      return;
    }
    process.stdout.write(
      `${permit.number ?? permit.id} (${permit.type}, ${permit.holderId}): ` +
        `${fromMilli(permit.remainingMilli)} of ${fromMilli(permit.authorisedMilli)} ${permit.unit} left, ` +
        `${permit.shipments} shipment(s)\n`,
    );
    for (const u of usage) {
      process.stdout.write(
        `  ${u.at}  declaration ${u.declarationId} item ${u.itemSequence}: ${fromMilli(u.quantityMilli)} ${permit.unit}\n`,
      );
    }
  } finally {
    await runtime.close();
  }
}

function print(permits: Permit[], now: string, json: boolean): void {
  if (json) {
    for (const p of permits) {
      const undecided = ['applied', 'under-review', 'information-requested'].includes(p.status);
      process.stdout.write(
        JSON.stringify({
          ...p,
          status: effectiveStatus(p, now),
          overdue: undecided && p.deadline < now,
        }) + '\n',
      );
    }
    return;
  }
  if (permits.length === 0) {
    process.stdout.write('no permits\n');
    return;
  }
  for (const p of permits) {
    const status = effectiveStatus(p, now);
    const undecided = ['applied', 'under-review', 'information-requested'].includes(p.status);
    process.stdout.write(
      [
        (p.number ?? p.id).padEnd(26),
        p.type.padEnd(18),
        status.padEnd(22),
        p.holderId.padEnd(16),
        `${fromMilli(p.remainingMilli)}/${fromMilli(p.authorisedMilli)} ${p.unit}`.padEnd(22),
        undecided
          ? `due ${p.deadline}${p.deadline < now ? ' OVERDUE' : ''}`
          : `valid to ${p.validTo}`,
        p.expedited ? ' (expedited)' : '',
      ].join(' ') + '\n',
    );
  }
}
