import { useState } from 'react';
import type { Me } from '../../App.js';
import { api } from '../../api.js';
import { AsyncView, useAsync } from '../../components/AsyncView.js';
import { CheckboxGroup, FormField } from '../../components/FormField.js';
import { ProblemAlert } from '../../components/ProblemAlert.js';
import type { Calendar } from './types.js';
import { bodyField } from './words.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The working days the deadlines count in; customs administrators and the IPR unit set them. */
export function CalendarSection({ me }: { me: Me }) {
  const calendar = useAsync(() => api.GET('/api/ipr/calendar'), []);
  return (
    <AsyncView state={calendar} isEmpty={() => false}>
      {(c) =>
        me.may('administer', 'working-calendar') ? (
          <CalendarForm key={JSON.stringify(c)} calendar={c} onSaved={calendar.reload} />
        ) : (
          <dl className="facts" aria-label="Working days">
            <dt>Time zone</dt>
            <dd>{c.timeZone}</dd>
            <dt>Weekend</dt>
            <dd>{c.weekend.map((d) => DAYS[d]).join(', ') || 'none'}</dd>
            <dt>Holidays</dt>
            <dd>{c.holidays.join(', ') || 'none'}</dd>
          </dl>
        )
      }
    </AsyncView>
  );
}

function CalendarForm({ calendar, onSaved }: { calendar: Calendar; onSaved: () => void }) {
  const [timeZone, setTimeZone] = useState(calendar.timeZone);
  const [weekend, setWeekend] = useState(calendar.weekend.map(String));
  const [holidays, setHolidays] = useState(calendar.holidays.join('\n'));
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const save = async () => {
    setProblem(null);
    setSaved(false);
    const { error } = await api.PUT('/api/ipr/calendar', {
      body: {
        timeZone: timeZone.trim(),
        weekend: weekend.map(Number).sort(),
        holidays: holidays
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      },
    });
    if (error) setProblem(error);
    else {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form
      aria-label="Working days"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <FormField
        label="Time zone"
        hint="IANA name, e.g. Europe/Minsk: deadlines end at local midnight"
        problem={problem}
        field={bodyField('/timeZone')}
      >
        <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
      </FormField>
      <CheckboxGroup
        legend="Weekend"
        options={DAYS.map((d, k) => ({ value: String(k), label: d }))}
        value={weekend}
        onChange={setWeekend}
        problem={problem}
        field={bodyField('/weekend')}
      />
      <FormField
        label="Public holidays"
        hint="Dates as YYYY-MM-DD, one per line; they are not working days"
        problem={problem}
        field={bodyField('/holidays')}
      >
        <textarea rows={6} value={holidays} onChange={(e) => setHolidays(e.target.value)} />
      </FormField>
      <ProblemAlert problem={problem} />
      {saved && <p role="status">Saved: deadlines from now on count in these working days.</p>}
      <button type="submit">Save the working days</button>
    </form>
  );
}
