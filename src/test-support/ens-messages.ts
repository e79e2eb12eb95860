/** ENS messages for tests: a valid air cargo IE315 with the goods and documents a test needs. */

/** yyyyMMddHHmm (UTC) of now + `hours`. */
export function ensTime(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/**
 * An air cargo IE315 that meets the ENS rules (HMRC's valid submission, re-addressed): one goods
 * item with this commodity code and documents, arriving `arrivalHours` from now.
 */
export function airReport(o: {
  lrn: string;
  hs: string;
  arrivalHours: number;
  documents?: Array<[string, string]>;
}): string {
  const docs = (o.documents ?? [['N380', 'INV-1']])
    .map(
      ([type, ref]) =>
        `<PRODOCDC2><DocTypDC21>${type}</DocTypDC21><DocRefDC23>${ref}</DocRefDC23></PRODOCDC2>`,
    )
    .join('');
  return `<ie:CC315A xmlns:ie="http://ics.dgtaxud.ec/CC315A">
  <MesSenMES3>GB1234231/1234567890</MesSenMES3>
  <DatOfPreMES9>261129</DatOfPreMES9>
  <TimOfPreMES10>1200</TimOfPreMES10>
  <MesIdeMES19>${o.lrn}</MesIdeMES19>
  <MesTypMES20>CC315A</MesTypMES20>
  <HEAHEA>
    <RefNumHEA4>${o.lrn}</RefNumHEA4>
    <TraModAtBorHEA76>4</TraModAtBorHEA76>
    <TotNumOfIteHEA305>1</TotNumOfIteHEA305>
    <TotNumOfPacHEA306>1</TotNumOfPacHEA306>
    <TotGroMasHEA307>120.000</TotGroMasHEA307>
    <DecPlaHEA394>LONDON</DecPlaHEA394>
    <ComRefNumHEA>AWB1234567</ComRefNumHEA>
    <ConRefNumHEA>BA0123</ConRefNumHEA>
    <PlaLoaGOOITE334>NAIROBI</PlaLoaGOOITE334>
    <PlaUnlGOOITE334>HEATHROW</PlaUnlGOOITE334>
    <DecDatTimHEA114>${ensTime(0)}</DecDatTimHEA114>
  </HEAHEA>
  <TRACONCE1><TINCE159>GB123456789000</TINCE159></TRACONCE1>
  <GOOITEGDS>
    <IteNumGDS7>1</IteNumGDS7>
    <GooDesGDS23>Live reptiles</GooDesGDS23>
    ${docs}
    <COMCODGODITM><ComNomCMD1>${o.hs}</ComNomCMD1></COMCODGODITM>
    <PACGS2><KinOfPacGS23>VR</KinOfPacGS23></PACGS2>
  </GOOITEGDS>
  <ITI><CouOfRouCodITI1>KE</CouOfRouCodITI1></ITI>
  <ITI><CouOfRouCodITI1>GB</CouOfRouCodITI1></ITI>
  <PERLODSUMDEC><TINPLD1>GB987654321000</TINPLD1></PERLODSUMDEC>
  <CUSOFFFENT730>
    <RefNumCUSOFFFENT731>GB000060</RefNumCUSOFFFENT731>
    <ExpDatOfArrFIRENT733>${ensTime(o.arrivalHours)}</ExpDatOfArrFIRENT733>
  </CUSOFFFENT730>
</ie:CC315A>`;
}
