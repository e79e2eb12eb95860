import { useState } from 'react';
import type { Me } from '../App.js';
import { PointDetail } from './energy/PointDetail.js';
import { PointsSection } from './energy/Points.js';
import { UploadReports } from './energy/UploadReports.js';
import './energy/energy.css';

/**
 * Energy transfer control: the power lines and pipelines to partner administrations, and for one
 * of them (#/energy/<id>) its details and, for those who follow the flows, our meter's figures
 * reconciled with the partner's and the declarations; those who record figures send them as CSV.
 */
export function EnergyPage({ me, selected }: { me: Me; selected: string | undefined }) {
  // Bumped when figures are recorded, so that the reconciliation shown reads them.
  const [recorded, setRecorded] = useState(0);
  return (
    <section className="energy" aria-labelledby="energy-title">
      <h1 id="energy-title">Energy</h1>
      <p>
        Electricity, gas and oil cross the border by line and pipe, not in consignments: what our
        operator’s meter reads, what the partner administration reports and what the importer
        declares must agree, allowing for the losses on the line and the meters’ accuracy.
      </p>
      {selected && <PointDetail key={selected} id={selected} me={me} recorded={recorded} />}
      <PointsSection selected={selected} />
      {me.may('lodge', 'energy-flow') && (
        <UploadReports onRecorded={() => setRecorded((n) => n + 1)} />
      )}
    </section>
  );
}
