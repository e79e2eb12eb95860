import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { DataTable } from '../components/DataTable.js';
import { FormField } from '../components/FormField.js';
import { ProblemAlert } from '../components/ProblemAlert.js';
import { formatDateTime, formatNumber } from '../format.js';

interface Certificate {
  id: string;
  type: string;
  reference: string;
  holderId: string;
  holderName: string;
  hsScope: string[];
  validFrom: string;
  validTo: string | null;
  status: string;
}
interface Trader {
  traderId: string;
  record: { controls: number; findings: number; lastFindingAt: string | null };
  findingRate: number | null;
  certificates: Certificate[];
}

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
            {trader.certificates.map((c) => `${c.type} ${c.reference} (${c.status})`).join('; ') ||
              'none'}
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
            columns={[
              { key: 'reference', header: 'Reference', cell: (c) => c.reference },
              { key: 'type', header: 'Type', cell: (c) => c.type },
              {
                key: 'holder',
                header: 'Holder',
                cell: (c) => `${c.holderId} — ${c.holderName}`,
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
              },
              { key: 'status', header: 'Status', cell: (c) => c.status },
            ]}
          />
        )}
      </AsyncView>
    </section>
  );
}
