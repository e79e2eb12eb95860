import type { IprParty } from '../../domain.js';
import type { Application, CaseView, Right } from './types.js';

/** An application's status as people say it. */
export const APPLICATION_STATUS_WORDS: Readonly<Record<Application['status'], string>> = {
  submitted: 'submitted, awaiting the IPR unit',
  'more-information-requested': 'more information requested',
  accepted: 'accepted',
  refused: 'refused',
};

export const RIGHT_TYPE_WORDS: Readonly<Record<Right['type'], string>> = {
  trademark: 'Trademark',
  design: 'Design',
  copyright: 'Copyright',
  'geographical-indication': 'Geographical indication',
  patent: 'Patent',
  'plant-variety': 'Plant variety right',
  'utility-model': 'Utility model',
  topography: 'Semiconductor topography',
};

export const APPLICANT_KIND_WORDS: Readonly<Record<Application['applicant']['kind'], string>> = {
  'right-holder': 'Right holder',
  licensee: 'Licensee',
  'collective-body': 'Collective rights-management body',
};

export const PROCEDURE_WORDS: Readonly<Record<CaseView['case']['procedure'], string>> = {
  standard: 'standard procedure (application in force)',
  'small-consignment': 'small-consignments procedure',
  'ex-officio': 'ex officio (no application yet)',
};

/** Where a case stands, as the parties read it. */
export const STAGE_WORDS: Readonly<Record<string, string>> = {
  notifying: 'customs is notifying the parties',
  'awaiting-application': 'awaiting an application for action',
  'awaiting-right-holder': "awaiting the right holder's answer",
  'awaiting-declarant': "awaiting the declarant's answer",
  'awaiting-proceedings': 'awaiting court proceedings',
  proceedings: 'court proceedings under way',
  'to-destroy': 'to be destroyed',
  'to-release': 'to be released',
  destroyed: 'destroyed',
  released: 'released',
};
export const stageWords = (stage: string) => STAGE_WORDS[stage] ?? stage;

export const DEADLINE_WORDS: Readonly<Record<string, string>> = {
  'notify-declarant': 'Notify the declarant',
  'notify-holder': 'Notify the right holder',
  'lodge-application': 'Lodge an application for action',
  'holder-confirm': 'Confirm the infringement',
  'declarant-answer': 'Agree to destruction or object',
  'inform-holder-of-objection': 'Inform the right holder of the objection',
  'start-proceedings': 'Start court proceedings',
};

export const PARTY_WORDS: Readonly<Record<IprParty, string>> = {
  customs: 'Customs',
  'right-holder': 'Right holder',
  declarant: 'Declarant',
};

export const MATCH_WORDS: Readonly<Record<string, string>> = {
  exact: 'exactly as registered',
  normalised: 'same letters (case, accents or spacing differ)',
  confusable: 'look-alike characters',
  near: 'one letter different',
  manual: 'named by the officer',
};

/** A right in one line: type, mark and registration. */
export const rightWords = (r: Pick<Right, 'type' | 'mark' | 'registrationNumber'>) =>
  `${RIGHT_TYPE_WORDS[r.type] ?? r.type} “${r.mark}” (${r.registrationNumber})`;

/**
 * A field as both checks name it: the request's schema (`body/<field>`) and the use case
 * (`/<field>`), so that its error shows next to it whichever refused.
 */
export const bodyField = (pointer: string): string[] => [pointer, `/body${pointer}`];
