import type { ApplicationForAction, RightType } from './application.js';
import {
  buildMarkIndex,
  matchMarks,
  type MarkIndex,
  type MarkMatch,
  type MarkMatchKind,
} from './brand-match.js';

/** What the register's memo of matched texts may hold, in characters (about 8 MB of keys). */
const MEMO_CHARS = 4_000_000;

/** One right of an accepted application, as screening and detention see it. */
export interface RegisteredRight {
  /** `<application id>:<index of the right in the application>`. */
  id: string;
  applicationId: string;
  holderAgencyId: string;
  holderName: string;
  type: RightType;
  mark: string;
  registrationNumber: string;
  /** HS prefixes of the goods the right covers. */
  goods: readonly string[];
  validFrom: string;
  validTo: string;
  smallConsignmentsProcedure: boolean;
  /** EORI/TIN of the applicant and of every authorised trader: their goods are authentic. */
  authorisedIds: ReadonlySet<string>;
}

/** A right a goods item appears to bear. */
export interface RightMatch {
  right: RegisteredRight;
  kind: MarkMatchKind;
  matchedText: string;
}

/** What screening reads of a goods item and its declaration to match rights. */
export interface ItemForRights {
  brand: string;
  description: string;
  hs: string;
}

/**
 * The register of rights in force, built once from the accepted applications and shared by every
 * screening: a mark index over all rights, then per item only the rights whose mark matched are
 * checked for goods scope and validity on the declaration date.
 */
export class RightsRegister {
  readonly rights: readonly RegisteredRight[];
  private readonly byId = new Map<string, RegisteredRight[]>();
  private readonly index: MarkIndex;

  constructor(applications: readonly ApplicationForAction[]) {
    const rights: RegisteredRight[] = [];
    for (const a of applications) {
      if (a.status !== 'accepted' || a.validFrom === null || a.validTo === null) continue;
      const authorised = new Set<string>();
      if (a.applicant.id !== undefined) authorised.add(a.applicant.id);
      for (const t of a.authorisedTraders) if (t.id !== undefined) authorised.add(t.id);
      a.rights.forEach((r, i) => {
        rights.push({
          id: `${a.id}:${i}`,
          applicationId: a.id,
          holderAgencyId: a.applicantAgencyId,
          holderName: a.applicant.name,
          type: r.type,
          mark: r.mark,
          registrationNumber: r.registrationNumber,
          goods: r.goods,
          validFrom: a.validFrom!,
          validTo: a.validTo!,
          smallConsignmentsProcedure: a.smallConsignmentsProcedure,
          authorisedIds: authorised,
        });
      });
    }
    this.rights = rights;
    for (const r of rights) {
      const list = this.byId.get(r.mark);
      if (list) list.push(r);
      else this.byId.set(r.mark, [r]);
    }
    this.index = buildMarkIndex([...this.byId.keys()].map((mark) => ({ id: mark, mark })));
  }

  /**
   * The marks found in each brand and description seen, by their text: traffic repeats the same
   * few descriptions, and matching rescans every word of them (bench:ipr-screening measured the
   * register making screening some 20 times slower without this). Bounded by the characters it
   * holds; emptied when full, so a flood of distinct texts costs memory once, not forever.
   */
  private readonly seen = new Map<string, MarkMatch[]>();
  private seenChars = 0;

  private marksIn(brand: string, description: string): MarkMatch[] {
    const key = `${brand}\u0000${description}`;
    let found = this.seen.get(key);
    if (found === undefined) {
      found = matchMarks(this.index, brand, description);
      if (this.seenChars + key.length > MEMO_CHARS) {
        this.seen.clear();
        this.seenChars = 0;
      }
      this.seen.set(key, found);
      this.seenChars += key.length;
    }
    return found;
  }

  /** Rights in force at `at` whose mark the item bears and whose goods scope covers its HS code. */
  matches(item: ItemForRights, at: string): RightMatch[] {
    if (this.rights.length === 0 || (item.brand === '' && item.description === '')) return [];
    const out: RightMatch[] = [];
    for (const m of this.marksIn(item.brand, item.description)) {
      for (const right of this.byId.get(m.id) ?? []) {
        if (at < right.validFrom || at >= right.validTo) continue;
        if (!right.goods.some((g) => item.hs.startsWith(g))) continue;
        out.push({ right, kind: m.kind, matchedText: m.matchedText });
      }
    }
    return out;
  }

  /** True when one of the parties (EORI/TIN) is authorised for every matched right. */
  static authorised(matches: readonly RightMatch[], partyIds: readonly string[]): boolean {
    return matches.every((m) => partyIds.some((id) => id !== '' && m.right.authorisedIds.has(id)));
  }
}

/** The register with no rights: screening without IPR data. */
export const NO_RIGHTS = new RightsRegister([]);
