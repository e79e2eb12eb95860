import type { Me } from '../App.js';
import { api } from '../api.js';
import { formatDateTime, formatNumber } from '../format.js';
import { AsyncView, useAsync } from '../components/AsyncView.js';
import { DataTable } from '../components/DataTable.js';
import { RecordProof } from './ledger/RecordProof.js';
import { ControlSection } from './declaration/ControlSection.js';
import { Explanation } from './declaration/Explanation.js';
import { IprSection } from './declaration/IprSection.js';
import type { DeclarationAnswer, TraderDeclaration } from './declaration/types.js';
import { DeclarationChanges } from './declarations/DeclarationChanges.js';
import { kindWords, statusWords } from './declaration/words.js';

type GoodsItem = DeclarationAnswer['goodsItems'][number];

/**
 * One declaration: what was declared; for customs, the explanation of its channel in words and
 * the control with what the officer may do now (the server says which actions); for the trader,
 * where it stands.
 */
export function DeclarationPage({ id, me }: { id: string; me: Me }) {
  const declaration = useAsync(
    () => api.GET('/api/declarations/{id}', { params: { path: { id } } }),
    [id],
  );
  // Only those who may follow controls ask for the control (a trader is answered 404).
  const followsControls = me.may('read', 'control');
  const control = useAsync(
    () =>
      followsControls
        ? api.GET('/api/declarations/{id}/control', { params: { path: { id } } })
        : Promise.resolve({ data: undefined }),
    [id, followsControls],
  );
  const reload = () => {
    declaration.reload();
    control.reload();
  };

  return (
    <AsyncView state={declaration} isEmpty={() => false}>
      {(d) => {
        const trader = 'audience' in d ? d : null;
        const assessment = 'assessment' in d ? d.assessment : null;
        const channel = 'channel' in d ? d.channel : null;
        const c = control.data;
        const route = d.route ?? {};
        return (
          <article className="declaration">
            <h1>
              {kindWords(d.kind)} {d.reference}{' '}
              {trader ? (
                <span className={`declaration-status ${trader.status}`}>
                  {statusWords(trader.status)}
                </span>
              ) : (
                channel && <span className={`channel ${channel}`}>{channel}</span>
              )}
            </h1>
            <p>
              At {d.office ?? '—'}, lodged {formatDateTime(d.submittedAt)}
              {c ? `; ${statusWords(c.status)}` : ''}.
            </p>
            {trader && <TraderStatus d={trader} />}
            {trader && (
              <DeclarationChanges
                me={me}
                declaration={{ ...d, status: trader.status }}
                onChanged={reload}
              />
            )}
            <IprSection
              id={id}
              reference={d.reference}
              status={c?.status ?? null}
              items={d.goodsItems}
              me={me}
              onChange={reload}
            />
            {c && <Explanation explanation={c.explanation} assessment={assessment} me={me} />}
            {c && (
              <ControlSection
                id={id}
                reference={d.reference}
                control={c}
                items={d.goodsItems.map((g) => g.sequence)}
                suggested={assessment?.controlForm ?? null}
                me={me}
                onChange={reload}
              />
            )}
            {control.error ? <AsyncView state={control}>{() => null}</AsyncView> : null}
            <section aria-labelledby="parties">
              <h2 id="parties">Parties and route</h2>
              <dl className="facts">
                <dt>Declarant</dt>
                <dd>{[d.declarant.id, d.declarant.name].filter(Boolean).join(' — ')}</dd>
                <dt>Consignor</dt>
                <dd>
                  {[d.consignor?.name, d.consignor?.country].filter(Boolean).join(', ') || '—'}
                </dd>
                <dt>Consignee</dt>
                <dd>{[d.consignee?.id, d.consignee?.name].filter(Boolean).join(' — ') || '—'}</dd>
                <dt>Route</dt>
                <dd>
                  {route.dispatchCountry ?? '?'} →{' '}
                  {(route.transitCountries ?? []).join(' → ') || 'direct'} →{' '}
                  {route.destinationCountry ?? '?'} by {route.transportMode ?? 'unknown mode'}
                </dd>
              </dl>
            </section>
            <section aria-labelledby="goods">
              <h2 id="goods">Goods items</h2>
              <DataTable<GoodsItem>
                label="Goods items"
                rows={d.goodsItems}
                rowKey={(g) => String(g.sequence)}
                columns={[
                  { key: 'seq', header: '#', cell: (g) => g.sequence },
                  { key: 'hs', header: 'HS code', cell: (g) => g.hsCode },
                  {
                    key: 'description',
                    header: 'Description',
                    cell: (g) => (
                      <>
                        {g.description}
                        {g.species ? <em> ({g.species})</em> : null}
                      </>
                    ),
                  },
                  {
                    key: 'mass',
                    header: 'Net mass (kg)',
                    className: 'num',
                    cell: (g) => formatNumber(g.netMass, 1),
                  },
                  {
                    key: 'value',
                    header: 'Value',
                    className: 'num',
                    cell: (g) => `${formatNumber(g.value, 2)} ${g.currency}`,
                  },
                  { key: 'origin', header: 'Origin', cell: (g) => g.originCountry },
                  {
                    key: 'documents',
                    header: 'Documents',
                    cell: (g) =>
                      (g.documents ?? []).map((x) => `${x.type} ${x.reference}`).join(', '),
                  },
                ]}
              />
            </section>
            <RecordProof me={me} subjectType="declaration" subjectId={id} />
          </article>
        );
      }}
    </AsyncView>
  );
}

function TraderStatus({ d }: { d: TraderDeclaration }) {
  return (
    <section aria-labelledby="standing">
      <h2 id="standing">Where it stands</h2>
      <p className="verdict">{d.message}</p>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{statusWords(d.status)}</dd>
      </dl>
      {d.missingDocuments.length > 0 && (
        <ul className="requested" aria-label="Documents missing">
          {d.missingDocuments.map((m, k) => (
            <li key={k}>
              {m.anyOf
                .map((x) => (/^[A-Z0-9]+$/.test(x.type) ? `${x.title} (${x.type})` : x.title))
                .join(' or ')}{' '}
              for item
              {m.items.length > 1 ? 's' : ''} {m.items.join(', ')}: {m.problem}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
