import type { PriorityArea } from './domain.js';

/** The domain's codes as people say them, for pages to show instead of the codes. */
export const PRIORITY_AREA_WORDS: Readonly<Record<PriorityArea, string>> = {
  'plastic-waste': 'Plastic waste',
  'e-waste': 'Electronic waste',
  'waste-and-scrap-metal': 'Waste and scrap metal',
  'green-technology': 'Ozone-depleting substances and green technology',
  'agricultural-chemicals': 'Agricultural chemicals',
  'endangered-species': 'Endangered species (CITES)',
  'intellectual-property': 'Intellectual property',
  energy: 'Energy',
  'general-smuggling': 'General smuggling',
};

/** A priority area in words (the code itself when it is one this console does not know yet). */
export const priorityAreaWords = (area: string | null | undefined): string =>
  area ? (PRIORITY_AREA_WORDS[area as PriorityArea] ?? area) : '—';
