// The domain's own vocabularies, from the core (pure TypeScript, bundled by Vite): the console's
// forms offer exactly what the API accepts, with no copy to keep in step.
export {
  CONTROL_FORMS,
  PRIORITY_AREAS,
  type ControlForm,
  type PriorityArea,
} from '../../src/core/risk/indicator.js';
export {
  canRecord,
  IPR_EVENT_PARTY,
  IPR_EVENT_TITLES,
  IPR_EVENT_TYPES,
  type IprEvent,
  type IprEventType,
  type IprParty,
} from '../../src/core/ipr/procedure.js';
