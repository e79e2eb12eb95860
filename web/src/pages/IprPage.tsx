import type { Me } from '../App.js';
import { api } from '../api.js';
import { ApplicationsSection } from './ipr/Applications.js';
import { ApplyForm } from './ipr/ApplyForm.js';
import { CalendarSection } from './ipr/Calendar.js';
import { CasesSection, partyOf } from './ipr/Cases.js';

/** The sections of the page, each at #/ipr/<id>, and what the user must be allowed to see it. */
const SECTIONS = [
  { id: 'cases', title: 'Detention cases', action: 'read', subject: 'ipr-case' },
  {
    id: 'applications',
    title: 'Applications for action',
    action: 'read',
    subject: 'ipr-application',
  },
  { id: 'apply', title: 'Apply for action', action: 'apply', subject: 'ipr-application' },
  { id: 'calendar', title: 'Working days', action: 'read', subject: 'working-calendar' },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

/**
 * Intellectual property at the border: detention cases with their deadlines and each party's
 * steps, the register of applications for action (right holders apply and follow their own; the
 * IPR unit decides), and the working days the deadlines count in.
 */
export function IprPage({
  me,
  section,
  item,
}: {
  me: Me;
  section: string | undefined;
  item: string | undefined;
}) {
  const visible = SECTIONS.filter((s) => me.may(s.action, s.subject));
  const current: SectionId | undefined = visible.some((s) => s.id === section)
    ? (section as SectionId)
    : visible[0]?.id;
  // An item belongs to the section it was opened in, never to the one shown instead.
  const selected = current === section ? item : undefined;
  const party = partyOf(me);
  const title =
    current === 'cases' && party === 'right-holder'
      ? 'Goods detained under your rights'
      : current === 'cases' && party === 'declarant'
        ? 'Your detained goods'
        : visible.find((s) => s.id === current)?.title;
  return (
    <section aria-labelledby="ipr-title">
      <h1 id="ipr-title">Intellectual property</h1>
      <nav aria-label="Intellectual property" className="subnav">
        {visible.map((s) => (
          <a key={s.id} href={`#/ipr/${s.id}`} aria-current={s.id === current ? 'page' : undefined}>
            {s.title}
          </a>
        ))}
      </nav>
      {title && <h2>{title}</h2>}
      {current === 'cases' && <CasesSection me={me} selected={selected} />}
      {current === 'applications' && <ApplicationsSection me={me} selected={selected} />}
      {current === 'apply' && (
        <>
          <p>
            Ask customs to watch for goods that infringe your rights. Once the IPR unit accepts the
            application, goods bearing your marks from traders you have not authorised are detained
            and you are told, with the deadline to answer.
          </p>
          <ApplyForm
            submitLabel="Lodge the application"
            onSubmit={async (body) => {
              const { data, error } = await api.POST('/api/ipr/applications', { body });
              if (data) window.location.hash = `#/ipr/applications/${encodeURIComponent(data.id)}`;
              return error;
            }}
          />
        </>
      )}
      {current === 'calendar' && <CalendarSection me={me} />}
    </section>
  );
}
