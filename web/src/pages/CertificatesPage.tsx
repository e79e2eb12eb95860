import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { DataTable } from '../components/DataTable.js';
import { FormField } from '../components/FormField.js';
import { ProblemAlert } from '../components/ProblemAlert.js';
import type { paths } from '../api-types.js';
import { formatDateTime, formatNumber } from '../format.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Certificate = Json<paths['/api/certificates']['get']['responses']['200']>[number];
type Trader = Json<paths['/api/traders/{traderId}']['get']['responses']['200']>;

/** Certificate types and statuses as people say them. */
const CERTIFICATE_WORDS: Readonly<Record<Certificate['type'], string>> = {
  'environmental-compliance': 'Environmental compliance certificate',
  'recycler-compliance-programme': 'Recycler compliance programme',
  'trusted-trader': 'Trusted trader',
};
const STATUS_WORDS: Readonly<Record<Certificate['status'], string>> = {
  valid: 'Valid',
  suspended: 'Suspended',
  revoked: 'Revoked',
};
const certificateWords = (c: Certificate) => CERTIFICATE_WORDS[c.type] ?? c.type;

/** The certificate register and a trader's compliance record. */
export function CertificatesPage() {
  const list = useAsync(() => api.GET('/api/certificates'), []);
  const [problem, setProblem] = useState<unknown>(null);
  const [traderId, setTraderId] = useState('');
  const [trader, setTrader] = useState<Trader | null>(null);

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const { data, error } = await api.GET('/api/traders/{traderId}', {
      params: { path: { traderId } },
    });
    if (error) setProblem(error);
    else setTrader(data);
  };

  return (
    <section>
      <h1>Certificates and traders</h1>
      <form className="filters" aria-label="Trader record" onSubmit={(e) => void lookUp(e)}>
        <FormField label="Trader id" problem={problem} field="/traderId">
          <input value={traderId} onChange={(e) => setTraderId(e.target.value.trim())} required />
        </FormField>
        <button type="submit">Show record</button>
      </form>
      {trader && (
        <dl className="facts" aria-label="Compliance record">
          <dt>Trader</dt>
          <dd>{trader.traderId}</dd>
          <dt>Controls</dt>
          <dd>{formatNumber(trader.record.controls)}</dd>
          <dt>Findings</dt>
          <dd>{formatNumber(trader.record.findings)}</dd>
          <dt>Finding rate</dt>
          <dd>
            {trader.findingRate === null ? '—' : `${formatNumber(trader.findingRate * 100, 1)} %`}
          </dd>
          <dt>Certificates</dt>
          <dd>
            {trader.certificates
              .map((c) => `${certificateWords(c)} ${c.reference} (${STATUS_WORDS[c.status]})`)
              .join('; ') || 'none'}
          </dd>
        </dl>
      )}
      <ProblemAlert problem={problem} />
      <AsyncView state={list} emptyText="No certificates registered.">
        {(rows) => (
          <DataTable<Certificate>
            label="Certificates"
            rows={rows}
            rowKey={(c) => c.id}
            pageSize={25}
            columns={[
              {
                key: 'reference',
                header: 'Reference',
                cell: (c) => c.reference,
                sortValue: (c) => c.reference,
              },
              {
                key: 'type',
                header: 'Type',
                cell: certificateWords,
                sortValue: certificateWords,
              },
              {
                key: 'holder',
                header: 'Holder',
                cell: (c) => `${c.holderId} — ${c.holderName}`,
                sortValue: (c) => c.holderName,
              },
              {
                key: 'scope',
                header: 'HS scope',
                cell: (c) => c.hsScope.join(', ') || 'all goods',
              },
              {
                key: 'valid',
                header: 'Valid',
                cell: (c) => `${formatDateTime(c.validFrom)} – ${formatDateTime(c.validTo)}`,
                sortValue: (c) => c.validTo ?? '9999',
              },
              {
                key: 'status',
                header: 'Status',
                cell: (c) => STATUS_WORDS[c.status] ?? c.status,
                sortValue: (c) => STATUS_WORDS[c.status] ?? c.status,
              },
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}
