import type { components } from '../../api-types.js';

export type Gaps = components['schemas']['MirrorGaps'];
export type GapRow = components['schemas']['MirrorGapRow'];
export type Misclassification = Gaps['misclassifications'][number];
export type DeclarationsPage = components['schemas']['MirrorDeclarations'];
export type DeclaredItem = DeclarationsPage['items'][number];
export type Refresh = components['schemas']['MirrorOwnImportsRefresh'];
