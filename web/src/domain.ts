/** Domain vocabularies the console's forms offer (the API validates the same values). */
export const PRIORITY_AREAS = [
  'plastic-waste',
  'e-waste',
  'waste-and-scrap-metal',
  'green-technology',
  'agricultural-chemicals',
  'endangered-species',
  'intellectual-property',
  'energy',
  'general-smuggling',
] as const;
export type PriorityArea = (typeof PRIORITY_AREAS)[number];

export const CONTROL_FORMS = [
  'documentary-check',
  'scanning',
  'physical-inspection',
  'sampling-laboratory',
] as const;
export type ControlForm = (typeof CONTROL_FORMS)[number];
