import type { CompiledQuery, InferResult, Kysely, Selectable } from 'kysely';
import type {
  Agency,
  AgencyKind,
  Representation,
  RepresentationMode,
  Role,
} from '../core/auth/identity.js';
import type { Repositories, StoredToken, StoredUser } from '../core/ports.js';
import type { DB } from './schema.js';

/** Administrations, agencies, users and their tokens. */
export function identityStore(db: Kysely<DB>): Repositories['identity'] {
  let findTokenQuery: CompiledQuery | undefined;
  return {
    async insertAdministration(a) {
      await db
        .insertInto('administrations')
        .values({ id: a.id, country: a.country, name: a.name, created_at: a.createdAt })
        .execute();
    },
    async insertAgency(a) {
      await db
        .insertInto('agencies')
        .values({
          id: a.id,
          administration_id: a.administrationId,
          kind: a.kind,
          code: a.code,
          name: a.name,
          trader_id: a.traderId,
          created_at: a.createdAt,
        })
        .execute();
    },
    async insertUser(u) {
      await db
        .insertInto('users')
        .values({
          id: u.id,
          agency_id: u.agencyId,
          username: u.username,
          display_name: u.displayName,
          roles: JSON.stringify(u.roles),
          password_hash: u.passwordHash,
          disabled: u.disabled ? 1 : 0,
          created_at: u.createdAt,
        })
        .execute();
    },
    async insertToken(t) {
      await db
        .insertInto('tokens')
        .values({
          id: t.id,
          token_hash: t.tokenHash,
          kind: t.kind,
          user_id: t.userId,
          name: t.name,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
        })
        .execute();
    },
    async revokeToken(tokenHash, at) {
      const r = await db
        .updateTable('tokens')
        .set({ revoked_at: at })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async findUserByUsername(username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers(agencyId) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('agency_id', '=', agencyId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toUser);
    },
    async findUserById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findToken(tokenHash) {
      // Every request authenticates: build and compile this join once, then only bind the hash.
      findTokenQuery ??= tokenQuery(db).where('t.token_hash', '=', '').compile();
      const { rows } = await db.executeQuery<TokenRow>({
        ...findTokenQuery,
        parameters: [tokenHash],
      });
      const row = rows[0];

      return row && ofTokenRow(row);
    },
    async findAgency(id) {
      const row = await db
        .selectFrom('agencies')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toAgency(row);
    },
    async findAgencyByCode(code) {
      const row = await db
        .selectFrom('agencies')
        .selectAll()
        .where('code', '=', code)
        .executeTakeFirst();
      return row && toAgency(row);
    },
    async listAgencies(administrationId) {
      let q = db.selectFrom('agencies').selectAll().orderBy('code');
      if (administrationId) q = q.where('administration_id', '=', administrationId);
      return (await q.execute()).map(toAgency);
    },
    async listAdministrations() {
      const rows = await db.selectFrom('administrations').selectAll().orderBy('country').execute();
      return rows.map((r) => ({ id: r.id, country: r.country, name: r.name }));
    },
    async findCustomsAgency(administrationId) {
      const row = await db
        .selectFrom('agencies')
        .selectAll()
        .where('administration_id', '=', administrationId)
        .where('kind', '=', 'customs')
        .orderBy('created_at')
        .executeTakeFirst();
      return row && toAgency(row);
    },
    async setSimplifiedProcedures(agencyId, authorised) {
      const r = await db
        .updateTable('agencies')
        .set({ simplified_procedures: authorised ? 1 : 0 })
        .where('id', '=', agencyId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async insertRepresentation(r) {
      await db
        .insertInto('representations')
        .values({
          id: r.id,
          representative_agency_id: r.representativeAgencyId,
          trader_id: r.traderId,
          mode: r.mode,
          valid_from: r.validFrom,
          valid_to: r.validTo,
          created_at: r.createdAt,
          created_by: r.createdBy,
          revoked_at: r.revokedAt,
          revoked_by: r.revokedBy,
        })
        .execute();
    },
    async findRepresentation(id) {
      const row = await db
        .selectFrom('representations')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRepresentation(row);
    },
    async listRepresentations(f) {
      let q = db.selectFrom('representations').selectAll();
      if (f.representativeAgencyId !== undefined)
        q = q.where('representative_agency_id', '=', f.representativeAgencyId);
      if (f.traderId !== undefined) q = q.where('trader_id', '=', f.traderId);
      const rows = await q.orderBy('created_at').orderBy('id').execute();
      return rows.map(toRepresentation);
    },
    async revokeRepresentation(id, at, by) {
      const r = await db
        .updateTable('representations')
        .set({ revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async listUsersOf(administrationId) {
      const rows = await db
        .selectFrom('users as u')
        .innerJoin('agencies as a', 'a.id', 'u.agency_id')
        .selectAll('u')
        .select([
          'a.administration_id as a_administration_id',
          'a.kind as a_kind',
          'a.code as a_code',
          'a.name as a_name',
          'a.trader_id as a_trader_id',
        ])
        .where('a.administration_id', '=', administrationId)
        .orderBy('u.created_at')
        .orderBy('u.id')
        .execute();
      return rows.map((r) => ({ ...toUser(r), agency: agencyOfRow(r) }));
    },
    async setUserRoles(userId, roles) {
      const r = await db
        .updateTable('users')
        .set({ roles: JSON.stringify(roles) })
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async setUserDisabled(userId, disabled) {
      const r = await db
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0 })
        .where('id', '=', userId)
        .where('disabled', '=', disabled ? 0 : 1)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeTokensOfUser(userId, at) {
      const r = await db
        .updateTable('tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async countActiveAdmins(administrationId) {
      const r = await db
        .selectFrom('users as u')
        .innerJoin('agencies as a', 'a.id', 'u.agency_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('a.administration_id', '=', administrationId)
        .where('u.disabled', '=', 0)
        // Roles are a JSON array of codes: the quoted code is found only as a whole element.
        .where('u.roles', 'like', '%"admin"%')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async listTokensOf(administrationId, kind, options) {
      let q = tokenQuery(db)
        .where('a.administration_id', '=', administrationId)
        .where('t.kind', '=', kind);
      if (options.liveAt !== undefined) {
        const at = options.liveAt;
        q = q
          .where('t.revoked_at', 'is', null)
          .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', at)]));
      }
      const rows = await q
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(options.limit)
        .execute();
      return rows.map((r) => {
        const found = ofTokenRow(r);
        return { ...found.token, user: found.user, agency: found.agency };
      });
    },
    async findTokenById(id) {
      const row = await tokenQuery(db).where('t.id', '=', id).executeTakeFirst();
      return row && ofTokenRow(row);
    },
    async revokeTokenById(id, at) {
      const r = await db
        .updateTable('tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async countUsers() {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

function toUser(row: Omit<Selectable<DB['users']>, never>): StoredUser {
  return {
    id: row.id,
    agencyId: row.agency_id,
    username: row.username,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as Role[],
    passwordHash: row.password_hash,
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
  };
}

function toAgency(row: Selectable<DB['agencies']>): Agency {
  return {
    id: row.id,
    administrationId: row.administration_id,
    kind: row.kind as AgencyKind,
    code: row.code,
    name: row.name,
    traderId: row.trader_id,
    simplifiedProcedures: row.simplified_procedures === 1,
  };
}

function toRepresentation(row: Selectable<DB['representations']>): Representation {
  return {
    id: row.id,
    representativeAgencyId: row.representative_agency_id,
    traderId: row.trader_id,
    mode: row.mode as RepresentationMode,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

function agencyOfRow(row: {
  agency_id: string;
  a_administration_id: string;
  a_kind: string;
  a_code: string;
  a_name: string;
  a_trader_id: string | null;
}): Agency {
  return {
    id: row.agency_id,
    administrationId: row.a_administration_id,
    kind: row.a_kind as AgencyKind,
    code: row.a_code,
    name: row.a_name,
    traderId: row.a_trader_id,
  };
}

function ofTokenRow(row: TokenRow): { token: StoredToken; user: StoredUser; agency: Agency } {
  const token: StoredToken = {
    id: row.t_id,
    userId: row.id,
    kind: row.t_kind as StoredToken['kind'],
    name: row.t_name,
    createdAt: row.t_created_at,
    expiresAt: row.t_expires_at,
    revokedAt: row.t_revoked_at,
  };
  return { token, user: toUser(row), agency: agencyOfRow(row) };
}

function tokenQuery(db: Kysely<DB>) {
  return db
    .selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select([
      't.id as t_id',
      't.kind as t_kind',
      't.name as t_name',
      't.created_at as t_created_at',
      't.expires_at as t_expires_at',
      't.revoked_at as t_revoked_at',
      'u.id',
      'u.agency_id',
      'u.username',
      'u.display_name',
      'u.roles',
      'u.password_hash',
      'u.disabled',
      'u.created_at',
      'a.administration_id as a_administration_id',
      'a.kind as a_kind',
      'a.code as a_code',
      'a.name as a_name',
      'a.trader_id as a_trader_id',
    ]);
}

type TokenRow = InferResult<ReturnType<typeof tokenQuery>>[number];
