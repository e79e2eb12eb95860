import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { AsyncView, type AsyncState } from '../../components/AsyncView.js';
import { DataTable } from '../../components/DataTable.js';
import { FormField } from '../../components/FormField.js';
import { ProblemAlert, type FieldLabels } from '../../components/ProblemAlert.js';
import type { AgenciesAnswer, Agency } from './types.js';

const LABELS: FieldLabels = {
  '/kind': 'Kind of agency',
  '/body/kind': 'Kind of agency',
  '/code': 'Code',
  '/body/code': 'Code',
  '/name': 'Name',
  '/body/name': 'Name',
  '/traderId': 'EORI or trader number',
  '/body/traderId': 'EORI or trader number',
};
const at = (f: string) => [`/${f}`, `/body/${f}`];

/** The agencies of the administration, and a form to add one. */
export function AgenciesSection({ agencies }: { agencies: AsyncState<AgenciesAnswer> }) {
  return (
    <>
      <AsyncView state={agencies} isEmpty={(d) => d.agencies.length === 0}>
        {(d) => (
          <DataTable<Agency>
            label="Agencies"
            rows={d.agencies}
            rowKey={(a) => a.id}
            columns={[
              {
                key: 'name',
                header: 'Agency',
                cell: (a) => (
                  <>
                    {a.name}
                    <div className="note">{a.code}</div>
                  </>
                ),
              },
              {
                key: 'kind',
                header: 'Kind',
                cell: (a) => (
                  <>
                    {a.kindTitle}
                    {a.traderId && (
                      <div className="note">
                        EORI {a.traderId};{' '}
                        {a.simplifiedProcedures
                          ? 'authorised for simplified declarations'
                          : 'no simplified declarations'}
                      </div>
                    )}
                  </>
                ),
              },
            ]}
          />
        )}
      </AsyncView>
      {agencies.data && <NewAgency kinds={agencies.data.kinds} onAdded={agencies.reload} />}
    </>
  );
}

function NewAgency({ kinds, onAdded }: { kinds: AgenciesAnswer['kinds']; onAdded: () => void }) {
  const creatable = kinds.filter((k) => k.creatable);
  const [kind, setKind] = useState(creatable[0]?.kind ?? '');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [traderId, setTraderId] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setDone(null);
    const { data, error } = await api.POST('/api/agencies', {
      body: { kind, code, name, ...(kind === 'trader' ? { traderId } : {}) },
    });
    if (error || !data) {
      setProblem(error ?? 'No answer from the server.');
      return;
    }
    setDone(`${data.name} (${data.code}) was added.`);
    setCode('');
    setName('');
    setTraderId('');
    onAdded();
  };
  return (
    <form aria-label="Add an agency" onSubmit={(e) => void submit(e)}>
      <h3>Add an agency</h3>
      <FormField label="Kind of agency" problem={problem} field={at('kind')}>
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          {creatable.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.title}
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        label="Code"
        hint="Capital letters, digits and dashes, e.g. BY-PHYTO"
        problem={problem}
        field={at('code')}
      >
        <input value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} required />
      </FormField>
      <FormField label="Name" problem={problem} field={at('name')}>
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </FormField>
      {kind === 'trader' && (
        <FormField label="EORI or trader number" problem={problem} field={at('traderId')}>
          <input value={traderId} onChange={(e) => setTraderId(e.target.value.toUpperCase())} />
        </FormField>
      )}
      <ProblemAlert problem={problem} labels={LABELS} />
      <div className="actions">
        <button type="submit">Add agency</button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}
