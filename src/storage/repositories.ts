import type { Kysely } from 'kysely';
import type { Repositories } from '../core/ports.js';
import { auditStore } from './audit-store.js';
import { ledgerStore } from './ledger-store.js';
import { declarationStore } from './declaration-store.js';
import { identityStore } from './identity-store.js';
import { idempotencyStore } from './idempotency-store.js';
import {
  approvalStore,
  indicatorStatsStore,
  indicatorStore,
  referenceListStore,
} from './indicator-store.js';
import { certificateStore, traderRecordStore, type TraderRecordChanges } from './trader-store.js';
import { permitStore } from './permit-store.js';
import { controlStore, metricsStore } from './control-store.js';
import { cargoStore } from './cargo-store.js';
import { rulePackStore } from './rule-pack-store.js';
import { outboxStore } from './outbox-store.js';
import { exchangeStore } from './exchange-store.js';
import { iprStore } from './ipr-store.js';
import { energyStore } from './energy-store.js';
import { mirrorStore } from './mirror-store.js';
import { riskModelStore } from './risk-model-store.js';
import type { DB } from './schema.js';

/**
 * The repositories over one executor: the database itself, or a transaction. A job of a write
 * batch passes the batch's collector of changes applied at its end (trader records).
 */
export function createRepositories(
  db: Kysely<DB>,
  backend: 'sqlite' | 'postgres',
  atBatchEnd?: TraderRecordChanges,
): Repositories {
  return {
    identity: identityStore(db),
    declarations: declarationStore(db),
    indicators: indicatorStore(db),
    referenceLists: referenceListStore(db),
    approvals: approvalStore(db),
    certificates: certificateStore(db),
    traderRecords: traderRecordStore(db, atBatchEnd),
    indicatorStats: indicatorStatsStore(db),
    permits: permitStore(db),
    cargo: cargoStore(db),
    rulePacks: rulePackStore(db),
    controls: controlStore(db),
    metrics: metricsStore(db),
    audit: auditStore(db),
    outbox: outboxStore(db, backend),
    ledger: ledgerStore(db),
    exchange: exchangeStore(db),
    ipr: iprStore(db),
    energy: energyStore(db),
    mirror: mirrorStore(db),
    riskModels: riskModelStore(db),
    idempotency: idempotencyStore(db),
  };
}
