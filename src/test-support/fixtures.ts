import path from 'node:path';

/** HMRC CDS WCO-DM sample messages, copied into the repository (see test/fixtures/README.md). */
export const HMRC_DMS_SAMPLES = path.resolve(
  import.meta.dirname,
  '../../test/fixtures/hmrc-cds-wco-dms-import',
);

/** HMRC CDS WCO-DM export scenarios, copied into the repository (see test/fixtures/README.md). */
export const HMRC_DMS_EXPORT_SAMPLES = path.resolve(
  import.meta.dirname,
  '../../test/fixtures/hmrc-cds-wco-dms-export',
);
