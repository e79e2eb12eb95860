import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.js';
import type { AppContext } from './context.js';
import { adoptSharedRiskInformation, getMessage, listMessages } from './exchange-directory.js';
import { reportIprCase } from './ipr-cooperation.js';
import { createAgency, createUser, issueApiToken } from './manage-identity.js';
import {
  decideApplication,
  detainGoods,
  recordCaseEvent,
  submitApplication,
} from './manage-ipr.js';
import { getIndicator } from './read-indicators.js';
import { submitDeclaration } from './submit-declaration.js';
import type { Principal, Role } from '../core/auth/identity.js';
import type { BodyOf } from '../core/exchange/messages.js';
import { BACKENDS } from '../test-support/databases.js';
import {
  connectNodes,
  eventually,
  startNode,
  type TestNode,
} from '../test-support/exchange-nodes.js';

for (const backend of BACKENDS) {
  describe(`IPR cooperation with a partner administration (${backend})`, () => {
    let by: TestNode, kz: TestNode;
    let holder: Principal, iprOfficer: Principal, trader: Principal;
    let caseId: string;

    beforeAll(async () => {
      by = await startNode(backend, 'BY/GTK', { binding: 'http' });
      kz = await startNode(backend, 'KZ/KGD', { binding: 'http' });
      // Non-nominal agreements: the parties of a report stay at home.
      await connectNodes([by, kz], { binding: 'http', types: ['alert', 'ipr.report'] });
      const tokens = await by.ctx.storage.write(async (tx) => {
        const administrationId = (await tx.identity.listAdministrations())[0]!.id;
        const customs = by.users.officer.agencyId;
        const mk = async (agencyId: string, username: string, role: Role) => {
          const userId = await createUser(by.ctx, tx, {
            agencyId,
            username,
            displayName: username,
            roles: [role],
            password: null,
          });
          return (await issueApiToken(by.ctx, tx, { userId, name: 'test' })).token;
        };
        const brand = await createAgency(by.ctx, tx, {
          administrationId,
          kind: 'right-holder',
          code: 'RH-SWOOSH',
          name: 'Swoosh Brands B.V.',
          traderId: 'NL800000001',
        });
        const importer = await createAgency(by.ctx, tx, {
          administrationId,
          kind: 'trader',
          code: 'TRADER-1',
          name: 'Minsk Sports Import LLC',
          traderId: 'BY100',
        });
        return {
          holder: await mk(brand, 'swoosh', 'right_holder'),
          ipr: await mk(customs, 'ipr-unit', 'ipr_officer'),
          trader: await mk(importer, 'importer', 'trader'),
        };
      });
      holder = await authenticate(by.ctx, tokens.holder);
      iprOfficer = await authenticate(by.ctx, tokens.ipr);
      trader = await authenticate(by.ctx, tokens.trader);
      // Accepted three days ago, so in force today.
      const earlier: AppContext = {
        ...by.ctx,
        clock: { now: () => new Date(Date.now() - 3 * 86_400_000) },
      };
      const application = await submitApplication(earlier, holder, {
        applicant: {
          kind: 'right-holder',
          name: 'Swoosh Brands B.V.',
          id: 'NL800000001',
          country: 'NL',
        },
        representatives: [],
        rights: [
          {
            type: 'trademark',
            mark: 'Swooshex',
            registrationNumber: 'EUTM 000123456',
            goods: ['6403', '6404'],
          },
        ],
        goods: [{ hs: '64', description: 'Footwear' }],
        authenticFeatures: [],
        placesOfProduction: [],
        authorisedTraders: [],
        knownInfringers: [],
        knownRoutes: [],
        smallConsignmentsProcedure: false,
        undertakings: { liability: true, costs: true },
      });
      await decideApplication(earlier, iprOfficer, application.id, { decision: 'accept' });
      by.ctx.risk.invalidate();
      const lodged = await submitDeclaration(by.ctx, trader, {
        sourceFormat: 'json',
        input: {
          kind: 'import',
          reference: 'IPR-COOP-1',
          submittedAt: new Date(Date.now() - 3_600_000).toISOString(),
          declarant: { id: 'BY100', name: 'Minsk Sports Import LLC', country: 'BY' },
          consignor: { name: 'Putian Footwear Trading', country: 'CN' },
          consignee: { id: 'BY100', name: 'Minsk Sports Import LLC', country: 'BY' },
          route: {
            dispatchCountry: 'KZ',
            destinationCountry: 'BY',
            transitCountries: [],
            transportMode: 'road',
          },
          goodsItems: [
            {
              sequence: 1,
              hsCode: '6404110000',
              description: 'Sports shoes, textile uppers',
              brand: 'SW00SHEX',
              quantity: 400,
              unit: 'PR',
              netMass: 300,
              grossMass: 330,
              value: 4000,
              currency: 'USD',
              originCountry: 'CN',
            },
          ],
          documents: [{ type: 'N935', reference: 'INV-COOP-1' }],
        },
      });
      if (lodged.outcome !== 'created') throw new Error('not lodged');
      const view = await detainGoods(by.ctx, by.users.officer, lodged.declaration.id, {
        grounds: 'Look-alike of the Swooshex mark, 10 USD a pair.',
      });
      caseId = view.case.id;
      await recordCaseEvent(by.ctx, holder, caseId, {
        type: 'holder-confirmed',
        agreesToDestruction: true,
      });
    }, 120_000);
    afterAll(async () => {
      await Promise.all([by, kz].map((n) => n?.close()));
    });

    it('sends the detention report, without the parties the agreement does not allow', async () => {
      // Only those who send messages for the administration report to partners.
      await expect(
        reportIprCase(by.ctx, by.users.officer, caseId, { to: ['KZ/KGD'] }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
      const [sent] = await reportIprCase(by.ctx, by.users.liaison, caseId, {
        to: ['KZ/KGD'],
        includeParties: true,
        note: 'Same consignor seen on three shipments this month.',
      });
      expect(sent).toMatchObject({ type: 'ipr.report', handling: 'non-nominal' });
      const received = await eventually('the report at KZ', async () => {
        const inbox = await listMessages(kz.ctx, kz.users.liaison, { direction: 'in', limit: 10 });
        return inbox.find((m) => m.id === sent!.id);
      });
      const body = received.body as BodyOf['ipr.report'];
      expect(body).toMatchObject({
        stage: 'infringement-confirmed',
        procedure: 'standard',
        place: { country: 'BY' },
        rights: [{ type: 'trademark', mark: 'Swooshex', registrationNumber: 'EUTM 000123456' }],
        goods: [{ hsCode: '6404110000', brand: 'SW00SHEX', quantity: { value: 400, unit: 'PR' } }],
        route: { dispatchCountry: 'KZ', originCountries: ['CN'], transportMode: 'road' },
      });
      expect(body.parties).toBeUndefined();
      expect(JSON.stringify(body)).not.toMatch(/Minsk Sports|BY100/);
    });

    it('the partner seeds a draft indicator from the report, for its analysts to approve', async () => {
      const inbox = await listMessages(kz.ctx, kz.users.analyst, { direction: 'in', limit: 10 });
      const report = inbox.find((m) => m.type === 'ipr.report')!;
      const adopted = await adoptSharedRiskInformation(kz.ctx, kz.users.analyst, report.id);
      expect(adopted.failed).toEqual([]);
      expect(adopted.adopted).toHaveLength(1);
      const indicator = await getIndicator(
        kz.ctx,
        kz.users.analyst,
        adopted.adopted[0]!.indicatorId,
      );
      expect(indicator).toMatchObject({
        status: 'draft',
        priorityArea: 'intellectual-property',
        condition:
          '(brandLike("Swooshex")) && (item.hs.startsWith("6404")) && !authorisedForRight()',
      });
      expect(indicator.rationale).toMatch(/BY\/GTK reported goods bearing Swooshex/);
      expect(indicator.rationale).toMatch(/origin CN, dispatched from KZ, by road/);
      await expect(
        adoptSharedRiskInformation(kz.ctx, kz.users.analyst, report.id),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await getMessage(kz.ctx, kz.users.analyst, report.id)).adoptedAt).toMatch(/^\d{4}-/);
    });
  });
}
