import { assertAllowed } from '../../core/auth/policy.js';
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/auth/identity.js';
import {
  cargoMessages,
  closeReferral,
  getCargoReport,
  lodgeCargoReport,
  listCargoReports,
  MessageRejected,
  replyToReferral,
  type LodgedCargoReport,
} from '../../app/cargo-reports.js';
import type { AppContext } from '../../app/context.js';
import {
  approveRulePackProposal,
  listRulePackProposals,
  proposeRulePack,
  rejectRulePackProposal,
  rulePackInUse,
  rulePackProposalDocument,
  rulePackVersions,
  type RulePackInUse,
} from '../../app/rule-packs.js';
import { RulePackSchema } from '../../core/rules/rule-pack.js';
import { PRE_ARRIVAL_OUTCOMES, REFERRAL_STATUSES } from '../../core/cargo/referral.js';
import { DocumentSchema } from '../../core/declaration/declaration.js';
import { renderErrorResponse } from '../../formats/ens-error-response.js';
import { problemFromDomainError } from '../problem.js';
import { DeclarationViewSchema, ProblemSchema, TraderDocumentRequestSchema } from '../schemas.js';
import {
  presentCargoReport,
  seesTraderView,
  traderOutcomeReason,
  traderReferral,
  traderView,
  expectedDocumentsOf,
} from '../../app/views/declaration-view.js';
import { CONTROL_FORMS } from '../../core/risk/indicator.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const LodgingSchema = Type.Object(
  {
    status: Type.Enum(['on-time', 'late', 'not-checked']),
    rule: Nullable(Type.String()),
    deadline: Nullable(Type.String({ format: 'date-time' })),
    minutesLate: Type.Integer(),
    reason: Type.Optional(Type.String()),
  },
  { title: 'CargoLodging' },
);

const CargoReportSchema = Type.Object(
  {
    declarationId: Type.String(),
    mrn: Type.String({ description: 'Movement reference number given on acceptance' }),
    lrn: Type.String({ description: "The declarant's local reference number" }),
    sender: Nullable(Type.String()),
    version: Type.Integer({ description: '1 as lodged, +1 per amendment (IE313) accepted' }),
    lodgedAt: Type.String({ format: 'date-time' }),
    amendedAt: Nullable(Type.String({ format: 'date-time' })),
    arrivalAt: Nullable(Type.String({ format: 'date-time' })),
    lodging: LodgingSchema,
    outcome: Type.Enum(PRE_ARRIVAL_OUTCOMES),
    notes: Type.Array(Type.String(), {
      description: 'What the message carried that was not mapped',
    }),
  },
  { title: 'CargoReport' },
);

const ReferralSchema = Type.Object(
  {
    id: Type.String(),
    declarationId: Type.String(),
    kind: Type.Enum(['information-request', 'high-risk-control', 'do-not-load']),
    status: Type.Enum(REFERRAL_STATUSES),
    reason: Type.String(),
    documents: Type.Array(
      Type.Object({
        anyOf: Type.Array(Type.Object({ type: Type.String(), title: Type.String() })),
        items: Type.Array(Type.Integer()),
        why: Type.String(),
      }),
    ),
    indicators: Type.Array(Type.String()),
    office: Nullable(Type.String()),
    deadline: Nullable(Type.String({ format: 'date-time' })),
    overdue: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    repliedAt: Nullable(Type.String({ format: 'date-time' })),
    reply: Nullable(
      Type.Object({
        documents: Type.Array(DocumentSchema),
        note: Nullable(Type.String()),
      }),
    ),
    closedAt: Nullable(Type.String({ format: 'date-time' })),
    closedReason: Nullable(Type.String()),
  },
  { title: 'CargoReferral' },
);

/** A referral as the trader who lodged the report sees it: no indicators, reasons in words. */
const TraderReferralSchema = Type.Object(
  {
    ...Type.Omit(ReferralSchema, ['indicators', 'documents']).properties,
    documents: Type.Array(TraderDocumentRequestSchema),
  },
  { title: 'TraderReferral', description: "The trader's view of a referral" },
);
const ReferralViewSchema = Type.Union([ReferralSchema, TraderReferralSchema]);

const CargoReportViewSchema = Type.Object(
  {
    report: CargoReportSchema,
    declaration: DeclarationViewSchema,
    referrals: Type.Array(ReferralViewSchema),
  },
  { title: 'CargoReportView' },
);

const AcknowledgementSchema = Type.Object(
  {
    action: Type.Enum(['lodged', 'amended']),
    mrn: Type.String(),
    declarationId: Type.String(),
    channel: Type.Enum(['green', 'yellow', 'red']),
    outcome: Type.Enum(PRE_ARRIVAL_OUTCOMES),
    reason: Type.String(),
    report: CargoReportSchema,
    referrals: Type.Array(ReferralSchema),
  },
  { title: 'Acknowledgement' },
);

/** The acknowledgement a trader gets: the outcome and what to do, not why it was selected. */
const TraderAcknowledgementSchema = Type.Object(
  {
    audience: Type.Literal('trader'),
    action: Type.Enum(['lodged', 'amended']),
    mrn: Type.String(),
    declarationId: Type.String(),
    outcome: Type.Enum(PRE_ARRIVAL_OUTCOMES),
    reason: Type.String({ description: 'What to do, in words' }),
    control: Nullable(Type.Enum(CONTROL_FORMS)),
    missingDocuments: Type.Array(TraderDocumentRequestSchema),
    report: CargoReportSchema,
    referrals: Type.Array(TraderReferralSchema),
  },
  { title: 'TraderAcknowledgement', description: "The trader's acknowledgement of a cargo report" },
);
const AcknowledgementViewSchema = Type.Union([TraderAcknowledgementSchema, AcknowledgementSchema]);

const ReplySchema = Type.Object(
  {
    documents: Type.Array(
      Type.Object(
        {
          type: Type.String({ minLength: 1, maxLength: 35 }),
          reference: Type.String({ minLength: 1, maxLength: 70 }),
          items: Type.Optional(
            Type.Array(Type.Integer({ minimum: 1, maximum: 9999 }), {
              maxItems: 999,
              description: 'Goods items the document covers; absent: the whole report',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 99 },
    ),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { title: 'CargoReply', additionalProperties: false },
);

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });

const RulePackSummarySchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    seq: Type.Integer({ description: '0: the shipped file; 1, 2…: versions loaded since' }),
    rules: Type.Integer(),
    assertions: Type.Integer(),
    roots: Nullable(Type.Array(Type.String())),
    loadedAt: Nullable(Type.String({ format: 'date-time' })),
    loadedBy: Nullable(Type.String({ description: 'Who approved the version in force' })),
    versions: Type.Array(
      Type.Object({
        seq: Type.Integer(),
        version: Type.String(),
        loadedAt: Nullable(Type.String({ format: 'date-time' })),
        loadedBy: Nullable(Type.String({ description: 'Who approved it' })),
        proposedBy: Nullable(Type.String({ description: 'Who proposed it' })),
      }),
    ),
  },
  { title: 'RulePackSummary' },
);

const RulePackProposalSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    version: Type.String({ description: "The proposed pack's version label" }),
    rules: Type.Integer(),
    assertions: Type.Integer(),
    proposedAt: Type.String({ format: 'date-time' }),
    proposedBy: Type.String(),
    proposerAgencyId: Type.String(),
    comment: Type.String(),
    status: Type.Enum(['pending', 'approved', 'rejected']),
    decidedAt: Nullable(Type.String({ format: 'date-time' })),
    decidedBy: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    seq: Nullable(Type.Integer({ description: 'The loaded version, once approved' })),
  },
  { title: 'RulePackProposal' },
);

const PackName = Type.Object({ name: Type.String({ maxLength: 100 }) });
const ProposalId = Type.Object({
  name: Type.String({ maxLength: 100 }),
  id: Type.String({ maxLength: 64 }),
});

/** Advance cargo information: entry summary declarations in, pre-arrival referrals out. */
export const cargoRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const withOverdue = <R extends { status: string; deadline: string | null }>(r: R) => ({
    ...r,
    overdue:
      r.status === 'open' && r.deadline !== null && r.deadline < ctx.clock.now().toISOString(),
  });
  const acknowledgement = async (principal: Principal, l: LodgedCargoReport) => {
    if (!seesTraderView(principal)) return officerAcknowledgement(l);
    const view = traderView(
      l.declaration,
      await expectedDocumentsOf(ctx.storage.read, [l.declaration]),
    );
    return {
      audience: 'trader' as const,
      action: l.action,
      mrn: l.report.mrn,
      declarationId: l.report.declarationId,
      outcome: l.decision.outcome,
      reason: traderOutcomeReason(l.decision.outcome, l.decision.reason),
      control: view.control,
      missingDocuments: view.missingDocuments,
      report: l.report,
      referrals: l.referrals.map(traderReferral).map(withOverdue),
    };
  };
  const officerAcknowledgement = (l: LodgedCargoReport) => ({
    action: l.action,
    mrn: l.report.mrn,
    declarationId: l.report.declarationId,
    channel: l.declaration.channel ?? 'green',
    outcome: l.decision.outcome,
    reason: l.decision.reason,
    report: l.report,
    referrals: l.referrals.map(withOverdue),
  });

  app.post(
    '/api/cargo-reports',
    {
      // The body is checked by the rule pack and the domain; the schema below documents it.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['cargo'],
        summary: 'Lodge an entry summary declaration (ICS IE315) or amend one (IE313)',
        description:
          'XML as HMRC and the EU ICS receive it (root `CC315A` or `CC313A`), or the same elements as JSON ' +
          '(`{"CC315A": {"HEAHEA": {…}, "GOOITEGDS": [{…}]}}`). The message is checked against the ENS business ' +
          'rules (library/rules/ens-ie315.json); a broken rule refuses it with every violation (error code, ' +
          'message, element path), as a problem document, or as an `err:ErrorResponse` when the request prefers ' +
          '`application/xml`. Nothing is stored then. A valid report is stored, screened and acknowledged with ' +
          'its movement reference number and pre-arrival outcome.',
        body: {
          content: {
            'application/xml': { schema: Type.String({ description: 'CC315A or CC313A' }) },
            'application/json': {
              schema: Type.Object({}, { description: 'The same elements as JSON keys' }),
            },
          },
        },
        response: {
          200: AcknowledgementViewSchema,
          201: AcknowledgementViewSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
          415: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      try {
        const lodged = await lodgeCargoReport(ctx, request.principal, {
          format: typeof body === 'string' ? 'xml' : 'json',
          body,
        });
        return reply
          .code(lodged.action === 'lodged' ? 201 : 200)
          .header('location', `/api/cargo-reports/${lodged.report.declarationId}`)
          .send(await acknowledgement(request.principal, lodged));
      } catch (error) {
        if (error instanceof MessageRejected && prefersXml(request)) {
          return sendXmlErrors(reply, error);
        }
        throw error;
      }
    },
  );

  app.get(
    '/api/cargo-reports',
    {
      schema: {
        tags: ['cargo'],
        summary: 'Cargo reports, newest first (a trader sees its own)',
        querystring: Type.Object(
          {
            outcome: Type.Optional(Type.Enum(PRE_ARRIVAL_OUTCOMES)),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CargoReportSchema), 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) =>
      listCargoReports(ctx, request.principal, {
        limit: request.query.limit,
        ...(request.query.outcome ? { outcome: request.query.outcome } : {}),
      }),
  );

  app.get(
    '/api/cargo-reports/:id',
    {
      schema: {
        tags: ['cargo'],
        summary: 'A cargo report (by declaration id or MRN), its declaration and referrals',
        params: Id,
        response: { 200: CargoReportViewSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const view = await presentCargoReport(
        ctx.storage.read,
        request.principal,
        await getCargoReport(ctx, request.principal, request.params.id),
      );
      return { ...view, referrals: view.referrals.map(withOverdue) };
    },
  );

  app.get(
    '/api/cargo-reports/:id/messages',
    {
      schema: {
        tags: ['cargo'],
        summary: 'Every message received for a cargo report, exactly as sent',
        params: Id,
        response: {
          200: Type.Array(
            Type.Object({
              version: Type.Integer(),
              messageType: Type.String(),
              format: Type.Enum(['xml', 'json']),
              receivedAt: Type.String({ format: 'date-time' }),
              receivedBy: Type.String(),
              message: Type.String(),
            }),
          ),
          401: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) => cargoMessages(ctx, request.principal, request.params.id),
  );

  const summary = async (name: string, inUse: RulePackInUse) => ({
    name,
    version: inUse.pack.version,
    seq: inUse.seq,
    rules: inUse.pack.rules.length,
    assertions: inUse.pack.rules.reduce((n, r) => n + r.asserts.length, 0),
    roots: inUse.pack.roots ? [...inUse.pack.roots] : null,
    loadedAt: inUse.loadedAt,
    loadedBy: inUse.loadedBy,
    versions: await rulePackVersions(ctx, name),
  });

  app.get(
    '/api/rule-packs/:name',
    {
      schema: {
        tags: ['cargo'],
        summary: 'The message rule pack in force (e.g. hmrc-ens-ie315) and its versions',
        params: PackName,
        response: { 200: RulePackSummarySchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      assertAllowed(request.principal, 'read', 'rule-pack');
      return summary(request.params.name, await rulePackInUse(ctx, request.params.name));
    },
  );

  app.get(
    '/api/rule-packs/:name/document',
    {
      schema: {
        tags: ['cargo'],
        summary: 'The rule pack in force, as data (context paths and CEL assertions)',
        params: PackName,
        response: { 200: RulePackSchema, 401: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      assertAllowed(request.principal, 'read', 'rule-pack');
      return (await rulePackInUse(ctx, request.params.name)).pack.document;
    },
  );

  app.put(
    '/api/rule-packs/:name',
    {
      // Checked by loadRulePack, which names the rule and assertion at fault.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['cargo'],
        summary:
          'Propose a new version of a rule pack: in force once a second risk analyst approves it',
        description:
          'Every assertion is compiled first; a bad one refuses the whole pack with 400 naming the rule, ' +
          'the assertion and the CEL error. The version label must be new, and one proposal at a time is ' +
          'pending per pack (409 otherwise). Customs risk analysts and administrators propose; another ' +
          'customs risk analyst of the same administration approves (POST …/proposals/{id}/approve).',
        params: PackName,
        body: RulePackSchema,
        response: {
          202: RulePackProposalSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const proposal = await proposeRulePack(ctx, request.principal, name, request.body);
      return reply.code(202).send(proposal);
    },
  );

  app.get(
    '/api/rule-packs/:name/proposals',
    {
      schema: {
        tags: ['cargo'],
        summary: "A rule pack's proposed replacements, newest first (pending ones by default)",
        params: PackName,
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['pending', 'approved', 'rejected', 'all'])),
        }),
        response: {
          200: Type.Array(RulePackProposalSchema),
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) => {
      const status = request.query.status ?? 'pending';
      return listRulePackProposals(
        ctx,
        request.principal,
        request.params.name,
        status === 'all' ? undefined : status,
      );
    },
  );

  app.get(
    '/api/rule-packs/:name/proposals/:id/document',
    {
      schema: {
        tags: ['cargo'],
        summary: 'The proposed pack, as data: what the approver approves',
        params: ProposalId,
        response: {
          200: RulePackSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request) =>
      rulePackProposalDocument(ctx, request.principal, request.params.name, request.params.id),
  );

  app.post(
    '/api/rule-packs/:name/proposals/:id/approve',
    {
      schema: {
        tags: ['cargo'],
        summary:
          'Approve a proposed rule pack (another customs risk analyst than the proposer): it is in force for the next message',
        params: ProposalId,
        body: Type.Optional(
          Type.Object(
            { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Object({ proposal: RulePackProposalSchema, pack: RulePackSummarySchema }),
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => {
      const { name, id } = request.params;
      const { proposal, inUse } = await approveRulePackProposal(
        ctx,
        request.principal,
        name,
        id,
        request.body?.comment,
      );
      return { proposal, pack: await summary(name, inUse) };
    },
  );

  app.post(
    '/api/rule-packs/:name/proposals/:id/reject',
    {
      schema: {
        tags: ['cargo'],
        summary: 'Reject a proposed rule pack, with the reason (the proposer may withdraw it so)',
        params: ProposalId,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: RulePackProposalSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) =>
      rejectRulePackProposal(
        ctx,
        request.principal,
        request.params.name,
        request.params.id,
        request.body.reason,
      ),
  );

  app.post(
    '/api/cargo-referrals/:id/reply',
    {
      schema: {
        tags: ['cargo'],
        summary:
          "The trader's reply to an information request: documents; the report is screened again",
        params: Id,
        body: ReplySchema,
        response: {
          200: AcknowledgementViewSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) =>
      acknowledgement(
        request.principal,
        await replyToReferral(ctx, request.principal, request.params.id, request.body),
      ),
  );

  app.post(
    '/api/cargo-referrals/:id/close',
    {
      schema: {
        tags: ['cargo'],
        summary: 'An officer closes a referral (control done, loading allowed), saying why',
        params: Id,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: ReferralSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) =>
      withOverdue(
        await closeReferral(ctx, request.principal, request.params.id, request.body.reason),
      ),
  );
};

/** True when the client asks for XML before JSON (an ENS client expects the err:ErrorResponse). */
function prefersXml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const xml = Math.min(
    ...['application/xml', 'text/xml'].map((t) => accept.indexOf(t)).filter((i) => i >= 0),
  );
  if (!Number.isFinite(xml)) return false;
  const json = accept.indexOf('json');
  return json < 0 || xml < json;
}

function sendXmlErrors(reply: FastifyReply, error: MessageRejected): FastifyReply {
  // The problem document's status and the same violations, in HMRC's error response shape.
  const status = problemFromDomainError(error).status;
  return reply
    .code(status)
    .type('application/xml; charset=utf-8')
    .serializer((payload) => String(payload))
    .send(renderErrorResponse(error.violations));
}
