import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app/context.js';
import {
  changeCertificateStatus,
  getCertificate,
  getTrader,
  issueCertificate,
  listCertificates,
} from '../../app/manage-certificates.js';
import {
  CERTIFICATE_STATUSES,
  CERTIFICATE_TYPES,
  CertificateInputSchema,
} from '../../core/traders/certificate.js';
import { ProblemSchema } from '../schemas.js';

const CertificateSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Enum(CERTIFICATE_TYPES),
    reference: Type.String(),
    holderId: Type.String(),
    holderName: Type.String(),
    issuerAgencyId: Type.String(),
    hsScope: Type.Array(Type.String()),
    validFrom: Type.String(),
    validTo: Type.Union([Type.String(), Type.Null()]),
    status: Type.Enum(CERTIFICATE_STATUSES),
    statusReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    createdBy: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Certificate' },
);

const domainValidated = { validatorCompiler: () => (data: unknown) => ({ value: data }) };

/** The certificate register and trader compliance records. */
export const certificateRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.post(
    '/api/certificates',
    {
      ...domainValidated,
      schema: {
        tags: ['traders'],
        summary:
          'Issue a certificate for your agency: environmental compliance or recycler programme (environmental agencies), trusted trader (customs)',
        body: CertificateInputSchema,
        response: {
          201: CertificateSchema,
          400: ProblemSchema,
          403: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await issueCertificate(ctx, request.principal, request.body)),
  );
  app.get(
    '/api/certificates',
    {
      schema: {
        tags: ['traders'],
        summary: 'Certificates (a trader sees only its own)',
        querystring: Type.Object({ holderId: Type.Optional(Type.String({ maxLength: 35 })) }),
        response: { 200: Type.Array(CertificateSchema), 403: ProblemSchema },
      },
    },
    (request) =>
      listCertificates(
        ctx,
        request.principal,
        request.query.holderId === undefined ? {} : { holderId: request.query.holderId },
      ),
  );
  app.get(
    '/api/certificates/:id',
    {
      schema: {
        tags: ['traders'],
        summary: 'One certificate',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: CertificateSchema, 404: ProblemSchema },
      },
    },
    (request) => getCertificate(ctx, request.principal, request.params.id),
  );
  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    app.post(
      `/api/certificates/:id/${action}`,
      {
        schema: {
          tags: ['traders'],
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a certificate your agency issued, with the reason`,
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          body: Type.Object(
            { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
            { additionalProperties: false },
          ),
          response: {
            200: CertificateSchema,
            403: ProblemSchema,
            404: ProblemSchema,
            409: ProblemSchema,
          },
        },
      },
      (request) =>
        changeCertificateStatus(
          ctx,
          request.principal,
          request.params.id,
          action,
          request.body.reason,
        ),
    );
  }
  app.get(
    '/api/traders/:traderId',
    {
      schema: {
        tags: ['traders'],
        summary: "A trader's compliance record (controls, findings) and certificates",
        params: Type.Object({ traderId: Type.String({ minLength: 1, maxLength: 35 }) }),
        response: {
          200: Type.Object({
            traderId: Type.String(),
            record: Type.Object({
              traderId: Type.String(),
              controls: Type.Integer(),
              findings: Type.Integer(),
              lastControlAt: Type.Union([Type.String(), Type.Null()]),
              lastFindingAt: Type.Union([Type.String(), Type.Null()]),
            }),
            findingRate: Type.Union([Type.Number(), Type.Null()]),
            certificates: Type.Array(CertificateSchema),
          }),
          403: ProblemSchema,
        },
      },
    },
    (request) => getTrader(ctx, request.principal, request.params.traderId),
  );
};
