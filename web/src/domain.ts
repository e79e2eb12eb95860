// The domain's own vocabularies, from the core (pure TypeScript, bundled by Vite): the console's
// forms offer exactly what the API accepts, with no copy to keep in step.
export {
  CONTROL_FORMS,
  PRIORITY_AREAS,
  type ControlForm,
  type PriorityArea,
} from '../../src/core/risk/indicator.js';
