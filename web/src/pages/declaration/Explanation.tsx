import type { Me } from '../../App.js';
import { formatNumber } from '../../format.js';
import type { Control } from './words.js';
import type { Assessment } from './types.js';

/**
 * Why this channel, in words: which risks, why, what to check. The score, the weights, the
 * indicators' conditions and codes are one click away for those who author indicators.
 */
export function Explanation({
  explanation,
  assessment,
  me,
}: {
  explanation: Control['explanation'];
  assessment: Assessment | null;
  me: Me;
}) {
  if (!explanation) return null;
  const e = explanation;
  return (
    <section aria-labelledby="why">
      <h2 id="why">Why this channel</h2>
      <p className="verdict">{e.summary}</p>
      {e.risks.length > 0 && (
        <ul className="hits plain">
          {e.risks.map((r, k) => (
            <li key={k} className="risk">
              <h3>{r.title}</h3>
              <dl className="facts">
                <dt>Risk</dt>
                <dd>
                  {r.area}, goods item{r.items.length > 1 ? 's' : ''} {r.items.join(', ')}
                </dd>
                <dt>Why</dt>
                <dd>{r.why}</dd>
                <dt>What to check</dt>
                <dd>
                  {r.check}
                  {r.documents.length > 0 ? `; ask for: ${r.documents.join(' or ')}` : ''}.
                </dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {e.permits.length > 0 && (
        <ul className="permits" aria-label="Permits">
          {e.permits.map((p, k) => (
            <li key={k}>{p}</li>
          ))}
        </ul>
      )}
      {e.adjustments.length > 0 && (
        <ul className="effects" aria-label="The trader">
          {e.adjustments.map((a, k) => (
            <li key={k}>{a}</li>
          ))}
        </ul>
      )}
      {e.randomlySelected && <p>It was also picked by the random selection.</p>}
      {assessment && me.may('author', 'indicator') && <Technical a={assessment} />}
    </section>
  );
}

/** The risk engine's own account: score, weights, conditions, codes (for indicator authors). */
function Technical({ a }: { a: Assessment }) {
  return (
    <details className="technical">
      <summary>Technical details: score, conditions and codes</summary>
      <p>
        Score {formatNumber(a.score)} (indicators {formatNumber(a.hitScore)}) → {a.channel}
        {a.controlForm ? `, ${a.controlForm}` : ''}; rule set {a.rulesetId}, engine{' '}
        {a.engineVersion}.
      </p>
      {a.hits.length > 0 && (
        <ul>
          {a.hits.map((h, k) => (
            <li key={k}>
              {h.title} (indicator {h.indicatorId} version {h.indicatorVersion}, {h.priorityArea})
              on item {h.itemSequence} (HS {h.hsCode}):{' '}
              {h.directChannel ? `sends it to ${h.directChannel}` : `+${formatNumber(h.weight)}`}.{' '}
              <span className="reason">{h.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {a.effects.length > 0 && (
        <ul>
          {a.effects.map((x, k) => (
            <li key={k}>
              {x.kind} {x.subject}: {x.reason} ({x.points >= 0 ? '+' : ''}
              {formatNumber(x.points)})
            </li>
          ))}
        </ul>
      )}
      {a.permits.length > 0 && (
        <ul>
          {a.permits.map((p, k) => (
            <li key={k}>
              Item {p.itemSequence} needs {p.required}: {p.outcome} — {p.reason}
            </li>
          ))}
        </ul>
      )}
      {a.model && (
        <p>
          Learned model version {a.model.version}: probability of a finding{' '}
          {formatNumber(a.model.probability, 3)}; top features{' '}
          {a.model.topFeatures
            .map(
              (f) =>
                `${f.feature} = ${f.value ?? 'missing'} (${f.contribution >= 0 ? '+' : ''}${formatNumber(f.contribution, 3)})`,
            )
            .join(', ')}
          .
        </p>
      )}
      <p>
        Random selection: {a.random.selected ? 'selected' : 'not selected'} (share{' '}
        {formatNumber(a.random.share * 100, 1)} %, seed {a.random.seed}).
      </p>
    </details>
  );
}
