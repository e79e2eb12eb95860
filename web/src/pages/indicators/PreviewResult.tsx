import { useState } from 'react';
import { formatDateTime, formatNumber } from '../../format.js';
import { DataTable } from '../../components/DataTable.js';
import type { Preview } from './types.js';

const BROAD_HITS_SHOWN = 10;

/** What a version would have hit among recent declarations, and a warning when that is too many. */
export function PreviewResult({
  preview,
  canLink,
  label = 'Preview of the draft',
}: {
  preview: Preview;
  /** Customs staff open the declarations a preview hits; other agencies do not read them. */
  canLink: boolean;
  label?: string;
}) {
  const rate = preview.hitRate === null ? '—' : `${formatNumber(preview.hitRate * 100, 1)} %`;
  const share = `${formatNumber(preview.broad.share * 100, 1)} %`;
  // A too broad condition lists nearly everything: the first few show what it catches.
  const [all, setAll] = useState(!preview.broad.exceeded);
  const hits = all ? preview.hits : preview.hits.slice(0, BROAD_HITS_SHOWN);
  return (
    <section className="preview" aria-label={label}>
      <h3>Test against recent declarations</h3>
      {preview.broad.exceeded && (
        <div role="alert" className="warning">
          <strong>Too broad:</strong> this condition would hit{' '}
          {formatNumber(preview.declarationsHit)} of {formatNumber(preview.examined)} recent
          declarations ({rate}), more than the {share} above which a condition no longer picks out
          risky consignments. Narrow it before saving.
        </div>
      )}
      <dl className="facts" aria-label="Preview figures">
        <dt>Examined</dt>
        <dd>
          {formatNumber(preview.examined)} declarations lodged {formatDateTime(preview.window.from)}{' '}
          – {formatDateTime(preview.window.to)}
        </dd>
        <dt>Would hit</dt>
        <dd>
          {formatNumber(preview.declarationsHit)} declarations ({formatNumber(preview.itemsHit)}{' '}
          goods items)
        </dd>
        <dt>Hit rate</dt>
        <dd>{rate}</dd>
      </dl>
      {preview.examined === 0 && (
        <p className="empty">No declaration was lodged in the period: nothing to test against.</p>
      )}
      {preview.examined > 0 && preview.hits.length === 0 && (
        <p className="empty">No recent declaration would hit.</p>
      )}
      {preview.hits.length > 0 && (
        <DataTable
          label="Preview hits"
          rows={hits}
          rowKey={(h) => `${h.declarationId}-${h.itemSequence}`}
          columns={[
            {
              key: 'declaration',
              header: 'Declaration',
              cell: (h) => (
                <>
                  {canLink ? (
                    <a href={`#/declarations/${encodeURIComponent(h.declarationId)}`}>
                      {h.reference}
                    </a>
                  ) : (
                    h.reference
                  )}
                  <div className="note">{formatDateTime(h.submittedAt)}</div>
                </>
              ),
            },
            {
              key: 'item',
              header: 'Item',
              className: 'num',
              cell: (h) => formatNumber(h.itemSequence),
            },
            { key: 'hs', header: 'HS code', cell: (h) => h.hsCode },
            {
              key: 'points',
              header: 'Points',
              className: 'num',
              cell: (h) => (h.directChannel ? `→ ${h.directChannel}` : formatNumber(h.points)),
            },
            {
              key: 'reason',
              header: 'Reason',
              cell: (h) => <span className="reason">{h.reason}</span>,
            },
          ]}
        />
      )}
      {hits.length < preview.hits.length && (
        <p className="note">
          The first {formatNumber(hits.length)} of {formatNumber(preview.hits.length)} hits listed
          are shown.{' '}
          <button type="button" onClick={() => setAll(true)}>
            Show all {formatNumber(preview.hits.length)} hits
          </button>
        </p>
      )}
      {preview.truncated && (
        <p className="note">
          The first {formatNumber(preview.hits.length)} of {formatNumber(preview.itemsHit)} item
          hits are listed.
        </p>
      )}
    </section>
  );
}
