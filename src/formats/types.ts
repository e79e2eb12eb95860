import type { FieldIssue } from '../core/errors.js';

/**
 * One declaration read from an inbound message or file, before domain validation.
 * `input` is a candidate DeclarationInput (see src/core/declaration/declaration.ts);
 * `sourcePaths` maps JSON pointers of `input` to where the value came from in the source
 * (an XML path such as `/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity/Classification[1]/ID`,
 * or a CSV column name) so that validation issues can name the field the sender wrote.
 */
export interface ReadDeclaration {
  input: unknown;
  sourcePaths?: ReadonlyMap<string, string>;
}

/** What a reader returns for one message: a declaration, or the reasons it is not one. */
export type ReadResult = { ok: true; value: ReadDeclaration } | { ok: false; issues: FieldIssue[] };

/** Rewrites issue paths from JSON pointers of the mapped declaration to the sender's own paths. */
export function toSourcePaths(
  issues: readonly FieldIssue[],
  sourcePaths: ReadonlyMap<string, string> | undefined,
): FieldIssue[] {
  if (!sourcePaths) return [...issues];
  return issues.map((issue) => {
    const direct = sourcePaths.get(issue.path);
    if (direct) return { ...issue, path: direct };
    // A pointer to a missing child (e.g. /goodsItems/0/currency) names its nearest mapped parent.
    let p = issue.path;
    while (p.lastIndexOf('/') > 0) {
      p = p.slice(0, p.lastIndexOf('/'));
      const parent = sourcePaths.get(p);
      if (parent) return { ...issue, path: `${parent} (${issue.path})` };
    }
    return { ...issue };
  });
}
