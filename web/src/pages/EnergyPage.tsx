import { useState } from 'react';
import type { Me } from '../App.js';
import { CaseDetail } from './energy/CaseDetail.js';
import { CasesSection } from './energy/Cases.js';
import { PointDetail } from './energy/PointDetail.js';
import { PointsSection } from './energy/Points.js';
import { UploadReports } from './energy/UploadReports.js';
import './energy/energy.css';

/**
 * Energy transfer control: the power lines and pipelines to partner administrations, and for one
 * of them (#/energy/<id>) its details and, for those who follow the flows, our meter's figures
 * reconciled with the partner's and the declarations; those who record figures send them as CSV.
 * The reconciliation cases the discrepancies raised are listed for those who read them, and
 * worked by those who decide them.
 */
export function EnergyPage({ me, selected }: { me: Me; selected: string | undefined }) {
  // Bumped when figures are recorded, so that the reconciliation shown reads them.
  const [recorded, setRecorded] = useState(0);
  // The case open above the lists, and a counter bumped when one changes.
  const [selectedCase, setSelectedCase] = useState<string | null>(null);
  const [casesChanged, setCasesChanged] = useState(0);
  const mayReadCases = me.may('read', 'energy-case');
  return (
    <section className="energy" aria-labelledby="energy-title">
      <h1 id="energy-title">Energy</h1>
      <p>
        Electricity, gas and oil cross the border by line and pipe, not in consignments: what our
        operator’s meter reads, what the partner administration reports and what the importer
        declares must agree, allowing for the losses on the line and the meters’ accuracy.
      </p>
      {mayReadCases && selectedCase && (
        <CaseDetail
          key={selectedCase}
          id={selectedCase}
          me={me}
          onChanged={() => setCasesChanged((n) => n + 1)}
          onClose={() => setSelectedCase(null)}
        />
      )}
      {selected && (
        <PointDetail
          key={selected}
          id={selected}
          me={me}
          recorded={recorded}
          selectedCase={selectedCase}
          onSelectCase={mayReadCases ? setSelectedCase : undefined}
          casesChanged={casesChanged}
        />
      )}
      <PointsSection selected={selected} />
      {mayReadCases && (
        <CasesSection
          selected={selectedCase}
          onSelect={setSelectedCase}
          changed={casesChanged + recorded}
        />
      )}
      {me.may('lodge', 'energy-flow') && (
        <UploadReports onRecorded={() => setRecorded((n) => n + 1)} />
      )}
    </section>
  );
}
