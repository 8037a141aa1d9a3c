/**
 * Demo consultation: Dresden's "Aktionsplan Integration 2022 bis 2026" (council paper V1332/21).
 *
 * Everything marked `isExample: false` is taken verbatim from the slides of V1332/21 (line breaks
 * joined, no word changed). Everything marked `isExample: true` is invented example content that
 * fills the gaps the slides leave (goals, most measures, the changes in "Entwurf 2"); departments,
 * committees, phase dates and the contact are plausible, not authoritative.
 */

export interface DemoDepartment { slug: string; name: string; shortName: string | null; kind: 'department' | 'enterprise' | 'office' }
export interface DemoCommittee { slug: string; name: string; shortName: string | null; kind: 'council' | 'committee' | 'advisory_council' }
export interface DemoMeasure {
  key: string;            // stable across versions, e.g. 'm-jha-uam-konzeption'
  code: string;           // shown number, e.g. 'D.1', '5.2.1'
  text: string;
  timeframe: string;      // e.g. '2022–2026' or ''
  relatedPapers: string[]; // e.g. ['A0391/17']
  isExample: boolean;     // true when invented, false when verbatim from the seed slides
  lead: string[];         // department slugs
  support: string[];      // department slugs
  committees: string[];   // committee slugs
}
export interface DemoGoal { key: string; code: string; text: string; isExample: boolean; measures: DemoMeasure[] }
export interface DemoField { key: string; code: string; title: string; description: string; isExample: boolean; goals: DemoGoal[] }
export interface DemoPrinciple { kind: 'guiding_principle' | 'strategic_goal'; text: string; source: string | null }
export interface DemoVersion { label: string; status: 'draft' | 'published' | 'adopted'; principles: DemoPrinciple[]; crossCuttingMeasures: DemoMeasure[]; fields: DemoField[] }
export interface DemoPhase { kind: 'analysis' | 'proposals' | 'draft_review' | 'decision' | 'implementation'; title: string; description: string; opensAt: string; closesAt: string; channels: ('comment' | 'statement' | 'event')[]; moderationMode: 'pre' | 'post' }
export interface DemoConsultation { slug: string; title: string; summary: string; receiptPrefix: string; paperReference: string; relatedPapers: string[]; contact: string; phases: DemoPhase[]; versions: DemoVersion[] }

// ---------------------------------------------------------------------------------------------
// Ämter, Eigenbetriebe, Büros
// ---------------------------------------------------------------------------------------------

export const demoDepartments: DemoDepartment[] = [
  { slug: 'buero-der-integrations-und-auslaenderbeauftragten', name: 'Büro der Integrations- und Ausländerbeauftragten', shortName: null, kind: 'office' },
  { slug: 'buero-der-gleichstellungsbeauftragten', name: 'Büro der Gleichstellungsbeauftragten', shortName: null, kind: 'office' },
  { slug: 'personal-und-organisationsamt', name: 'Personal- und Organisationsamt', shortName: null, kind: 'department' },
  { slug: 'amt-fuer-presse-oeffentlichkeitsarbeit-und-protokoll', name: 'Amt für Presse-, Öffentlichkeitsarbeit und Protokoll', shortName: 'Presseamt', kind: 'department' },
  { slug: 'buergeramt', name: 'Bürgeramt (Ausländerbehörde, Welcome Center)', shortName: 'Bürgeramt', kind: 'department' },
  { slug: 'sozialamt', name: 'Sozialamt', shortName: null, kind: 'department' },
  { slug: 'gesundheitsamt', name: 'Gesundheitsamt', shortName: null, kind: 'department' },
  { slug: 'jugendamt', name: 'Jugendamt', shortName: null, kind: 'department' },
  { slug: 'amt-fuer-kindertagesbetreuung', name: 'Amt für Kindertagesbetreuung', shortName: null, kind: 'department' },
  { slug: 'eigenbetrieb-kindertageseinrichtungen', name: 'Eigenbetrieb Kindertageseinrichtungen Dresden', shortName: 'Eigenbetrieb Kita', kind: 'enterprise' },
  { slug: 'amt-fuer-schulen', name: 'Amt für Schulen', shortName: null, kind: 'department' },
  { slug: 'amt-fuer-kultur-und-denkmalschutz', name: 'Amt für Kultur und Denkmalschutz', shortName: null, kind: 'department' },
  { slug: 'eigenbetrieb-sportstaetten', name: 'Eigenbetrieb Sportstätten Dresden', shortName: 'Sportstätten', kind: 'enterprise' },
  { slug: 'amt-fuer-wirtschaftsfoerderung', name: 'Amt für Wirtschaftsförderung', shortName: null, kind: 'department' },
  { slug: 'amt-fuer-stadtplanung-und-mobilitaet', name: 'Amt für Stadtplanung und Mobilität', shortName: null, kind: 'department' },
];

// ---------------------------------------------------------------------------------------------
// Stadtrat, Ausschüsse, Beirat
// ---------------------------------------------------------------------------------------------

export const demoCommittees: DemoCommittee[] = [
  { slug: 'stadtrat', name: 'Stadtrat', shortName: null, kind: 'council' },
  { slug: 'integrations-und-auslaenderbeirat', name: 'Integrations- und Ausländerbeirat', shortName: null, kind: 'advisory_council' },
  { slug: 'jugendhilfeausschuss', name: 'Jugendhilfeausschuss', shortName: 'JHA', kind: 'committee' },
  // Also the committee for the Eigenbetrieb Kindertageseinrichtungen, hence the slides' "(Bildung, Kita)".
  { slug: 'ausschuss-fuer-bildung', name: 'Ausschuss für Bildung', shortName: 'Bildung', kind: 'committee' },
  { slug: 'ausschuss-fuer-soziales-und-wohnen', name: 'Ausschuss für Soziales und Wohnen', shortName: 'Soziales und Wohnen', kind: 'committee' },
  { slug: 'ausschuss-fuer-gesundheit', name: 'Ausschuss für Gesundheit', shortName: 'Gesundheit', kind: 'committee' },
  { slug: 'ausschuss-fuer-wirtschaftsfoerderung', name: 'Ausschuss für Wirtschaftsförderung', shortName: 'Wirtschaftsförderung', kind: 'committee' },
  { slug: 'ausschuss-fuer-kultur-und-tourismus', name: 'Ausschuss für Kultur und Tourismus', shortName: 'Kultur und Tourismus', kind: 'committee' },
  { slug: 'ausschuss-fuer-sport', name: 'Ausschuss für Sport', shortName: 'Sport', kind: 'committee' },
  { slug: 'ausschuss-fuer-allgemeine-verwaltung-ordnung-und-sicherheit', name: 'Ausschuss für Allgemeine Verwaltung, Ordnung und Sicherheit', shortName: 'Allgemeine Verwaltung', kind: 'committee' },
  { slug: 'ausschuss-fuer-stadtentwicklung-bau-verkehr-und-liegenschaften', name: 'Ausschuss für Stadtentwicklung, Bau, Verkehr und Liegenschaften', shortName: 'Stadtentwicklung', kind: 'committee' },
  { slug: 'ausschuss-fuer-petitionen-und-buergerbeteiligung', name: 'Ausschuss für Petitionen und Bürgerbeteiligung', shortName: 'Petitionen', kind: 'committee' },
];

// Short aliases so the measures below stay readable.
const IAB = 'integrations-und-auslaenderbeirat';
const JHA = 'jugendhilfeausschuss';
const BILDUNG = 'ausschuss-fuer-bildung';
const SOZIALES = 'ausschuss-fuer-soziales-und-wohnen';
const GESUNDHEIT = 'ausschuss-fuer-gesundheit';
const WIRTSCHAFT = 'ausschuss-fuer-wirtschaftsfoerderung';
const KULTUR = 'ausschuss-fuer-kultur-und-tourismus';
const SPORT = 'ausschuss-fuer-sport';
const VERWALTUNG = 'ausschuss-fuer-allgemeine-verwaltung-ordnung-und-sicherheit';
const STADTENTWICKLUNG = 'ausschuss-fuer-stadtentwicklung-bau-verkehr-und-liegenschaften';
const BETEILIGUNG = 'ausschuss-fuer-petitionen-und-buergerbeteiligung';
/** The slides' "(alle)": cross-cutting measures go to every committee. */
const ALL_COMMITTEES = demoCommittees.map((c) => c.slug);

const INTEGRATION = 'buero-der-integrations-und-auslaenderbeauftragten';
const GLEICHSTELLUNG = 'buero-der-gleichstellungsbeauftragten';
const PERSONAL = 'personal-und-organisationsamt';
const PRESSE = 'amt-fuer-presse-oeffentlichkeitsarbeit-und-protokoll';

// ---------------------------------------------------------------------------------------------
// Leitbild, Leitziele, durchgängige Maßnahmen (verbatim from V1332/21)
// ---------------------------------------------------------------------------------------------

const principles: DemoPrinciple[] = [
  {
    kind: 'guiding_principle',
    text: 'Dresden ist eine vielfältige und weltoffene Stadt, in der Werte wie Demokratie, Zusammenhalt, gemeinsamer Respekt und Wertschätzung gelebt werden.',
    source: 'Lokales Handlungsprogramm für ein vielfältiges und weltoffenes Dresden, 2017',
  },
  {
    kind: 'guiding_principle',
    text: 'Die Stadtverwaltung versteht Integration als Querschnittsaufgabe in ihrem Zuständigkeitsbereich und gestaltet eine proaktive Integrationsarbeit. Sie stellt die dafür notwendigen Rahmenbedingungen bedarfsgerecht zur Verfügung und begreift sich als gleichberechtigte Akteurin der Integrationsarbeit.',
    source: null,
  },
  {
    kind: 'strategic_goal',
    text: 'Die Stadtverwaltung gewährleistet den gleichberechtigten Zugang der Menschen mit Migrationsgeschichte zu allen kommunalen Angeboten und Dienstleistungen.',
    source: null,
  },
  {
    kind: 'strategic_goal',
    text: 'Die Stadtverwaltung fördert das solidarische Miteinander und den Zusammenhalt der Dresdner*innen. Sie setzt sich engagiert für Vielfalt, Demokratie, Respekt und gleichberechtigte Teilhabe ein.',
    source: null,
  },
  {
    kind: 'strategic_goal',
    text: 'Die Stadtverwaltung positioniert sich deutlich gegen die Erscheinungsformen Gruppenbezogener Menschenfeindlichkeit und gegen Diskriminierung. Sie unterstützt aktiv deren Abbau.',
    source: null,
  },
];

const crossCuttingMeasures: DemoMeasure[] = [
  {
    key: 'm-d-interkulturelle-oeffnung',
    code: 'D.1',
    text: 'weitere interkulturelle Öffnung der Stadtverwaltung und der Regelangebote (u. a. Diversität des Personals, Mehrsprachigkeit, leicht verständliche deutsche Sprache, Einsatz des GDD, Beteiligung von Zugewanderten, Kooperation mit Migrantenorganisationen, Abbau von Zugangshemmnissen, Schulung von Beschäftigten, Vermeidung des Einsatzes von Kindern als Dolmetscher*innen)',
    timeframe: '',
    relatedPapers: [],
    isExample: false,
    lead: [PERSONAL, INTEGRATION],
    support: [PRESSE],
    committees: ALL_COMMITTEES,
  },
  {
    key: 'm-d-strategien-fachplanungen',
    code: 'D.2',
    text: 'Weiterentwicklung von Strategien und Fachplanungen (u. a. Implementierung des „Verständnisses von Integration“, Operationalisierung von bestehenden integrationsrelevanten Zielen)',
    timeframe: '',
    relatedPapers: [],
    isExample: false,
    lead: [INTEGRATION],
    support: ['jugendamt', 'sozialamt', 'amt-fuer-schulen', 'amt-fuer-stadtplanung-und-mobilitaet'],
    committees: ALL_COMMITTEES,
  },
];

// ---------------------------------------------------------------------------------------------
// Handlungsfelder. Goals and measures that differ between Entwurf 1 and Entwurf 2 have a V1 and
// a V2 variant; everything else is shared by both versions.
// ---------------------------------------------------------------------------------------------

const SEED_FIELD = 'Eines der elf Handlungsfelder, deren Entwicklung seit 2015 die Analyse der kommunalen Handlungsfelder (V1070/21) darstellt.';

// 1 Sprache ------------------------------------------------------------------------------------

const goalSpracheKurseMeasures: DemoMeasure[] = [
  {
    key: 'm-sprache-kursuebersicht',
    code: '1.1.1',
    text: 'Aufbau und Pflege einer mehrsprachigen Online-Übersicht über alle Sprachkursangebote in Dresden gemeinsam mit den Kursträgern',
    timeframe: '2022–2023',
    relatedPapers: [],
    isExample: true,
    lead: [INTEGRATION],
    support: [PRESSE],
    committees: [IAB],
  },
  {
    key: 'm-sprache-sprachcafes',
    code: '1.1.2',
    text: 'Förderung ehrenamtlicher Sprachcafés und Sprachpatenschaften, vorrangig in Stadtteilen ohne wohnortnahe Kursangebote',
    timeframe: '2022–2026',
    relatedPapers: [],
    isExample: true,
    lead: [INTEGRATION],
    support: ['amt-fuer-kultur-und-denkmalschutz'],
    committees: [IAB],
  },
];

const goalSpracheKurseV1: DemoGoal = {
  key: 'g-sprache-kurse',
  code: '1.1',
  text: 'Zugewanderte Dresdner*innen finden schnell und wohnortnah ein passendes Angebot zum Erlernen der deutschen Sprache.',
  isExample: true,
  measures: goalSpracheKurseMeasures,
};

/** Entwurf 2 adds a measure (invented; as if prompted by comments in the draft review). */
const goalSpracheKurseV2: DemoGoal = {
  ...goalSpracheKurseV1,
  measures: [
    ...goalSpracheKurseMeasures,
    {
      key: 'm-sprache-kurse-kinderbetreuung',
      code: '1.1.3',
      text: 'Prüfung und Ausbau von Sprachkursangeboten mit begleitender Kinderbetreuung, insbesondere für Eltern von Kindern unter drei Jahren',
      timeframe: '2023–2024',
      relatedPapers: [],
      isExample: true,
      lead: [INTEGRATION],
      support: ['amt-fuer-kindertagesbetreuung', 'jugendamt'],
      committees: [IAB, BILDUNG],
    },
  ],
};

const goalSpracheVerwaltung: DemoGoal = {
  key: 'g-sprache-verwaltung',
  code: '1.2',
  text: 'Informationen und Schreiben der Stadtverwaltung sind auch für Menschen mit geringen Deutschkenntnissen verständlich.',
  isExample: true,
  measures: [
    {
      key: 'm-sprache-formulare',
      code: '1.2.1',
      text: 'Überarbeitung der meistgenutzten Formulare und Merkblätter des Bürgeramtes in leicht verständlicher deutscher Sprache und Bereitstellung von Übersetzungen in die häufigsten Herkunftssprachen',
      timeframe: '2022–2024',
      relatedPapers: [],
      isExample: true,
      lead: ['buergeramt'],
      support: [PRESSE, INTEGRATION],
      committees: [VERWALTUNG],
    },
  ],
};

const fieldSpracheV1: DemoField = {
  key: 'f-sprache',
  code: '1',
  title: 'Sprache',
  description: SEED_FIELD,
  isExample: false,
  goals: [goalSpracheKurseV1, goalSpracheVerwaltung],
};
const fieldSpracheV2: DemoField = { ...fieldSpracheV1, goals: [goalSpracheKurseV2, goalSpracheVerwaltung] };

// 2 Frühkindliche Bildung / Kita (measures verbatim, page "(Bildung, Kita)") --------------------

const fieldKita: DemoField = {
  key: 'f-kita',
  code: '2',
  title: 'Frühkindliche Bildung / Kita',
  description: 'Handlungsfeld mit den ausgewählten Maßnahmen der Vorlage V1332/21 für den Ausschuss für Bildung (Eigenbetrieb Kindertageseinrichtungen).',
  isExample: false,
  goals: [
    {
      key: 'g-kita-zugang',
      code: '2.1',
      text: 'Kinder aus zugewanderten Familien nehmen frühzeitig und gleichberechtigt an frühkindlicher Bildung teil.',
      isExample: true,
      measures: [
        {
          key: 'm-kita-elternbefragungen',
          code: '2.1.1',
          text: 'interkulturelle Öffnung der Elternbefragungen (Aufnahme des Migrationshintergrundes, Ausgestaltung Deutsch-Englisch, spezifische Auswertung)',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['amt-fuer-kindertagesbetreuung'],
          support: ['eigenbetrieb-kindertageseinrichtungen'],
          committees: [BILDUNG],
        },
        {
          key: 'm-kita-kooperationsmodell',
          code: '2.1.2',
          text: 'Entwicklung eines Kooperationsmodells von Begegnungsorten der Zugewanderten und Kita (Eltern frühzeitig für Bedeutung frühkindlicher Bildung sensibilisieren, Zugangshemmnisse abbauen, Betreuungsbedarf von unter Dreijährigen aus zugewanderten Familien ermitteln, Bekanntheit der Betreuungsformen erhöhen)',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['amt-fuer-kindertagesbetreuung'],
          support: ['eigenbetrieb-kindertageseinrichtungen', INTEGRATION],
          committees: [BILDUNG],
        },
      ],
    },
    {
      key: 'g-kita-vielfalt',
      code: '2.2',
      text: 'Die Kindertageseinrichtungen arbeiten diversitätsbewusst und fördern die Mehrsprachigkeit der Kinder.',
      isExample: true,
      measures: [
        {
          key: 'm-kita-paedagogische-konzeptionen',
          code: '2.2.1',
          text: 'pädagogische Konzeptionen der Einrichtungen weiterentwickeln (u. a. Berücksichtigung diversitätsbewusster Pädagogik, interkultureller Elternarbeit, Förderung der Mehrsprachigkeit der Kinder)',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['eigenbetrieb-kindertageseinrichtungen'],
          support: ['amt-fuer-kindertagesbetreuung'],
          committees: [BILDUNG],
        },
      ],
    },
  ],
};

// 3 Schule und Bildung (example) --------------------------------------------------------------

const fieldSchule: DemoField = {
  key: 'f-schule',
  code: '3',
  title: 'Schule und Bildung',
  description: 'Schulische Bildung, Übergänge im Bildungssystem, Deutsch als Zweitsprache und die Zusammenarbeit mit Eltern im Zuständigkeitsbereich des kommunalen Schulträgers.',
  isExample: true,
  goals: [
    {
      key: 'g-schule-bildungserfolg',
      code: '3.1',
      text: 'Schüler*innen mit Migrationsgeschichte haben die gleichen Chancen auf einen guten Bildungsabschluss.',
      isExample: true,
      measures: [
        {
          key: 'm-schule-elterninformation',
          code: '3.1.1',
          text: 'Erarbeitung mehrsprachiger Informationen für Eltern zum sächsischen Schulsystem, insbesondere zum Übergang von der Grundschule an weiterführende Schulen, gemeinsam mit dem Landesamt für Schule und Bildung',
          timeframe: '2022–2023',
          relatedPapers: [],
          isExample: true,
          lead: ['amt-fuer-schulen'],
          support: [INTEGRATION, PRESSE],
          committees: [BILDUNG],
        },
        {
          key: 'm-schule-daz-raumbedarf',
          code: '3.1.2',
          text: 'Berücksichtigung des Raumbedarfs für DaZ-Vorbereitungsklassen in der Schulnetzplanung',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: ['amt-fuer-schulen'],
          support: ['amt-fuer-stadtplanung-und-mobilitaet'],
          committees: [BILDUNG],
        },
      ],
    },
  ],
};

// 4 Kinder- und Jugendhilfe (measures verbatim, page "(JHA)") ----------------------------------

const fieldKinderJugendhilfe: DemoField = {
  key: 'f-kinder-jugendhilfe',
  code: '4',
  title: 'Kinder- und Jugendhilfe',
  description: 'Handlungsfeld mit den ausgewählten Maßnahmen der Vorlage V1332/21 für den Jugendhilfeausschuss.',
  isExample: false,
  goals: [
    {
      key: 'g-kjh-kindeswohl',
      code: '4.1',
      text: 'Das Wohl geflüchteter Kinder und Jugendlicher ist in allen Verfahren gesichert.',
      isExample: true,
      measures: [
        {
          key: 'm-jha-uam-konzeption',
          code: '4.1.1',
          text: 'Fortschreibung Konzeption unbegleitete ausländische Minderjährige',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['jugendamt'],
          support: ['buergeramt', INTEGRATION],
          committees: [JHA],
        },
        {
          key: 'm-jha-gremium-kindeswohl',
          code: '4.1.2',
          text: 'Etablierung Gremium zum Fachaustausch zwischen Jugendamt und Ausländerbehörde(n) zu den Möglichkeiten der Sicherung des Kindeswohls bei Abschiebungen (A0391/17)',
          timeframe: '',
          relatedPapers: ['A0391/17'],
          isExample: false,
          lead: ['jugendamt'],
          support: ['buergeramt'],
          committees: [JHA],
        },
      ],
    },
    {
      key: 'g-kjh-zugang',
      code: '4.2',
      text: 'Junge Menschen mit Migrationsgeschichte und ihre Familien erreichen die Angebote der Kinder- und Jugendhilfe gleichberechtigt.',
      isExample: true,
      measures: [
        {
          key: 'm-jha-sprachmittlung-kosten',
          code: '4.2.1',
          text: 'Berücksichtigung der Kosten von Sprach- und Kulturmittlung in den Finanzierungsgrundlagen der Leistungserbringer*innen',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['jugendamt'],
          support: [INTEGRATION],
          committees: [JHA],
        },
        {
          key: 'm-jha-schulindex-schulsozialarbeit',
          code: '4.2.2',
          text: 'Berücksichtigung der Schüler*innen-Struktur der Schulen im Dresdner Schulindex sowie bei der Umsetzung des „Regionalen Gesamtkonzeptes zur Weiterentwicklung der Schulsozialarbeit“',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['jugendamt'],
          support: ['amt-fuer-schulen'],
          committees: [JHA],
        },
        {
          key: 'm-jha-abendoberschule',
          code: '4.2.3',
          text: 'Prüfung des Einsatzes von Schulsozialarbeit an der Abendoberschule',
          timeframe: '',
          relatedPapers: [],
          isExample: false,
          lead: ['jugendamt'],
          support: ['amt-fuer-schulen'],
          committees: [JHA],
        },
      ],
    },
  ],
};

// 5 Arbeit ---------------------------------------------------------------------------------------

const measureArbeitAnerkennung: DemoMeasure = {
  key: 'm-arbeit-anerkennung',
  code: '5.1.1',
  text: 'Verweisberatung zur Anerkennung ausländischer Berufs- und Studienabschlüsse im Dresden Welcome Center und Vernetzung mit den Anerkennungsberatungsstellen',
  timeframe: '2022–2026',
  relatedPapers: [],
  isExample: true,
  lead: ['buergeramt'],
  support: ['amt-fuer-wirtschaftsfoerderung'],
  committees: [WIRTSCHAFT],
};

const measureArbeitUnternehmenV1: DemoMeasure = {
  key: 'm-arbeit-unternehmen-information',
  code: '5.1.2',
  text: 'Durchführung einer jährlichen Informationsveranstaltung für Unternehmen zur Beschäftigung von Geflüchteten',
  timeframe: '2022–2026',
  relatedPapers: [],
  isExample: true,
  lead: ['amt-fuer-wirtschaftsfoerderung'],
  support: [INTEGRATION],
  committees: [WIRTSCHAFT],
};

/** Entwurf 2 rewords this measure (invented). */
const measureArbeitUnternehmenV2: DemoMeasure = {
  ...measureArbeitUnternehmenV1,
  text: 'Durchführung von mindestens zwei Informationsveranstaltungen pro Jahr für kleine und mittlere Unternehmen zur Ausbildung und Beschäftigung von Zugewanderten, gemeinsam mit den Kammern und der Agentur für Arbeit',
};

const goalArbeitZugangV1: DemoGoal = {
  key: 'g-arbeit-zugang',
  code: '5.1',
  text: 'Zugewanderte haben gleichberechtigten Zugang zu Ausbildung und Beschäftigung und können ihre mitgebrachten Qualifikationen einbringen.',
  isExample: true,
  measures: [measureArbeitAnerkennung, measureArbeitUnternehmenV1],
};
const goalArbeitZugangV2: DemoGoal = { ...goalArbeitZugangV1, measures: [measureArbeitAnerkennung, measureArbeitUnternehmenV2] };

const goalArbeitArbeitgeberin: DemoGoal = {
  key: 'g-arbeit-arbeitgeberin',
  code: '5.2',
  text: 'Die Stadtverwaltung ist als Arbeitgeberin Vorbild bei der Ausbildung und Beschäftigung von Menschen mit Migrationsgeschichte.',
  isExample: true,
  measures: [
    {
      key: 'm-arbeit-ausbildungsmarketing',
      code: '5.2.1',
      text: 'Mehrsprachiges Ausbildungsmarketing der Stadtverwaltung und gezielte Ansprache von Migrantenorganisationen bei der Gewinnung von Auszubildenden',
      timeframe: '2022–2026',
      relatedPapers: [],
      isExample: true,
      lead: [PERSONAL],
      support: [PRESSE, INTEGRATION],
      committees: [VERWALTUNG],
    },
  ],
};

const fieldArbeitV1: DemoField = {
  key: 'f-arbeit',
  code: '5',
  title: 'Arbeit',
  description: SEED_FIELD,
  isExample: false,
  goals: [goalArbeitZugangV1, goalArbeitArbeitgeberin],
};
const fieldArbeitV2: DemoField = { ...fieldArbeitV1, goals: [goalArbeitZugangV2, goalArbeitArbeitgeberin] };

// 6 Wohnen ---------------------------------------------------------------------------------------

const measureWohnenBeratung: DemoMeasure = {
  key: 'm-wohnen-beratung',
  code: '6.1.1',
  text: 'Ausbau der mehrsprachigen Beratung zur Wohnungssuche für Bewohner*innen von Gemeinschaftsunterkünften',
  timeframe: '2022–2026',
  relatedPapers: [],
  isExample: true,
  lead: ['sozialamt'],
  support: [INTEGRATION],
  committees: [SOZIALES],
};

/** Only in Entwurf 1; Entwurf 2 drops it (invented). */
const measureWohnenBroschuere: DemoMeasure = {
  key: 'm-wohnen-broschuere',
  code: '6.1.2',
  text: 'Erstellung einer Broschüre „Wohnen in Dresden“ in leicht verständlicher deutscher Sprache und acht weiteren Sprachen',
  timeframe: '2022',
  relatedPapers: [],
  isExample: true,
  lead: ['sozialamt'],
  support: [PRESSE],
  committees: [SOZIALES],
};

const goalWohnenWohnraumV1: DemoGoal = {
  key: 'g-wohnen-wohnraum',
  code: '6.1',
  text: 'Zugewanderte finden angemessenen Wohnraum und leben nicht länger als nötig in Gemeinschaftsunterkünften.',
  isExample: true,
  measures: [measureWohnenBeratung, measureWohnenBroschuere],
};
const goalWohnenWohnraumV2: DemoGoal = { ...goalWohnenWohnraumV1, measures: [measureWohnenBeratung] };

const goalWohnenQuartiere: DemoGoal = {
  key: 'g-wohnen-quartiere',
  code: '6.2',
  text: 'In den Dresdner Stadtteilen leben Menschen unterschiedlicher Herkunft gut zusammen; einer räumlichen Segregation wird entgegengewirkt.',
  isExample: true,
  measures: [
    {
      key: 'm-wohnen-monitoring',
      code: '6.2.1',
      text: 'Berücksichtigung integrationsrelevanter Indikatoren in der kleinräumigen Wohnungsmarktbeobachtung und im Monitoring der Stadtentwicklung',
      timeframe: '2023–2026',
      relatedPapers: [],
      isExample: true,
      lead: ['amt-fuer-stadtplanung-und-mobilitaet'],
      support: ['sozialamt'],
      committees: [STADTENTWICKLUNG],
    },
  ],
};

const fieldWohnenV1: DemoField = {
  key: 'f-wohnen',
  code: '6',
  title: 'Wohnen',
  description: SEED_FIELD,
  isExample: false,
  goals: [goalWohnenWohnraumV1, goalWohnenQuartiere],
};
const fieldWohnenV2: DemoField = { ...fieldWohnenV1, goals: [goalWohnenWohnraumV2, goalWohnenQuartiere] };

// 7 Gesundheit und Pflege (example) -------------------------------------------------------------

const fieldGesundheit: DemoField = {
  key: 'f-gesundheit',
  code: '7',
  title: 'Gesundheit und Pflege',
  description: 'Zugang zu Gesundheitsförderung, Prävention, gesundheitlicher Versorgung und Pflege, einschließlich der gesundheitlichen Versorgung von Geflüchteten.',
  isExample: true,
  goals: [
    {
      key: 'g-gesundheit-zugang',
      code: '7.1',
      text: 'Menschen mit Migrationsgeschichte haben gleichberechtigten Zugang zu Angeboten der Gesundheitsförderung, der gesundheitlichen Versorgung und der Pflege.',
      isExample: true,
      measures: [
        {
          key: 'm-gesundheit-pflegeberatung',
          code: '7.1.1',
          text: 'Ausbau der mehrsprachigen Pflegeberatung und Gewinnung ehrenamtlicher Pflegelots*innen mit Migrationsgeschichte',
          timeframe: '2022–2025',
          relatedPapers: [],
          isExample: true,
          lead: ['sozialamt'],
          support: ['gesundheitsamt'],
          committees: [SOZIALES, GESUNDHEIT],
        },
        {
          key: 'm-gesundheit-praevention',
          code: '7.1.2',
          text: 'Mehrsprachige Informationen zu Impf-, Vorsorge- und Beratungsangeboten des Gesundheitsamtes, erarbeitet gemeinsam mit Multiplikator*innen aus Migrantenorganisationen',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: ['gesundheitsamt'],
          support: [PRESSE, INTEGRATION],
          committees: [GESUNDHEIT],
        },
      ],
    },
  ],
};

// 8 Soziale Beratung und Betreuung (example) ----------------------------------------------------

const fieldSoziales: DemoField = {
  key: 'f-soziales',
  code: '8',
  title: 'Soziale Beratung und Betreuung',
  description: 'Soziale Beratung, Orientierung nach der Ankunft sowie Unterbringung und soziale Betreuung von Geflüchteten.',
  isExample: true,
  goals: [
    {
      key: 'g-soziales-orientierung',
      code: '8.1',
      text: 'Neu zugewanderte Menschen erhalten vom ersten Tag an Orientierung und bedarfsgerechte soziale Beratung.',
      isExample: true,
      measures: [
        {
          key: 'm-soziales-welcome-center',
          code: '8.1.1',
          text: 'Weiterentwicklung der Verweisberatung des Dresden Welcome Centers und mehrsprachige Bekanntmachung des Angebotes',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: ['buergeramt'],
          support: [PRESSE],
          committees: [VERWALTUNG],
        },
        {
          key: 'm-soziales-unterbringung',
          code: '8.1.2',
          text: 'Fortschreibung des Konzeptes zur Unterbringung und sozialen Betreuung von Geflüchteten unter Beteiligung des Integrations- und Ausländerbeirates',
          timeframe: '2023',
          relatedPapers: [],
          isExample: true,
          lead: ['sozialamt'],
          support: [INTEGRATION],
          committees: [SOZIALES, IAB],
        },
      ],
    },
  ],
};

// 9 Kultur, Sport und Freizeit (example) --------------------------------------------------------

const fieldKulturSport: DemoField = {
  key: 'f-kultur-sport',
  code: '9',
  title: 'Kultur, Sport und Freizeit',
  description: 'Teilhabe an Kultur-, Sport- und Freizeitangeboten sowie die Förderung interkultureller Kulturarbeit.',
  isExample: true,
  goals: [
    {
      key: 'g-kultur-teilhabe',
      code: '9.1',
      text: 'Kultur-, Sport- und Freizeitangebote stehen allen Dresdner*innen offen und spiegeln die Vielfalt der Stadtgesellschaft wider.',
      isExample: true,
      measures: [
        {
          key: 'm-kultur-foerderung',
          code: '9.1.1',
          text: 'Stärkere Berücksichtigung interkultureller Projekte und von Migrantenorganisationen in der kommunalen Kulturförderung, u. a. durch Beratung zu den Förderverfahren',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: ['amt-fuer-kultur-und-denkmalschutz'],
          support: [INTEGRATION],
          committees: [KULTUR],
        },
        {
          key: 'm-sport-hallenzeiten',
          code: '9.1.2',
          text: 'Unterstützung von Sportvereinen bei der interkulturellen Öffnung und transparente Vergabe von Hallenzeiten auch an Sportangebote von Migrantenorganisationen',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: ['eigenbetrieb-sportstaetten'],
          support: [INTEGRATION],
          committees: [SPORT],
        },
      ],
    },
  ],
};

// 10 Partizipation und Teilhabe (example) -------------------------------------------------------

const fieldPartizipation: DemoField = {
  key: 'f-partizipation',
  code: '10',
  title: 'Partizipation und Teilhabe',
  description: 'Politische Mitwirkung, Beteiligung an kommunalen Entscheidungen und die Vertretung der Interessen von Zugewanderten.',
  isExample: true,
  goals: [
    {
      key: 'g-partizipation-mitwirkung',
      code: '10.1',
      text: 'Menschen mit Migrationsgeschichte wirken gleichberechtigt an kommunalen Entscheidungen mit.',
      isExample: true,
      measures: [
        {
          key: 'm-partizipation-beirat',
          code: '10.1.1',
          text: 'Frühzeitige Beteiligung des Integrations- und Ausländerbeirates an allen integrationsrelevanten Vorlagen der Stadtverwaltung',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: [INTEGRATION],
          support: [PERSONAL],
          committees: ['stadtrat', IAB],
        },
        {
          key: 'm-partizipation-buergerbeteiligung',
          code: '10.1.2',
          text: 'Mehrsprachige Einladungen und Dolmetschangebote bei Bürgerbeteiligungsverfahren der Stadtverwaltung',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: [PRESSE],
          support: [INTEGRATION, 'amt-fuer-stadtplanung-und-mobilitaet'],
          committees: [BETEILIGUNG],
        },
      ],
    },
  ],
};

// 11 Zusammenleben und Antidiskriminierung (example) --------------------------------------------

const fieldZusammenleben: DemoField = {
  key: 'f-zusammenleben',
  code: '11',
  title: 'Zusammenleben und Antidiskriminierung',
  description: 'Gesellschaftlicher Zusammenhalt, Begegnung sowie Schutz vor Diskriminierung und Gruppenbezogener Menschenfeindlichkeit.',
  isExample: true,
  goals: [
    {
      key: 'g-zusammenleben-antidiskriminierung',
      code: '11.1',
      text: 'Menschen, die in Dresden Diskriminierung erfahren, finden Unterstützung; die Stadtverwaltung baut Diskriminierung in ihren eigenen Abläufen ab.',
      isExample: true,
      measures: [
        {
          key: 'm-zusammenleben-beschwerdestelle',
          code: '11.1.1',
          text: 'Einrichtung einer niedrigschwelligen Beschwerdestelle für Menschen, die im Kontakt mit Ämtern und Eigenbetrieben Diskriminierung erfahren haben',
          timeframe: '2023–2024',
          relatedPapers: [],
          isExample: true,
          lead: [INTEGRATION],
          support: [GLEICHSTELLUNG, PERSONAL],
          committees: [VERWALTUNG, IAB],
        },
      ],
    },
    {
      key: 'g-zusammenleben-begegnung',
      code: '11.2',
      text: 'Begegnung und Austausch zwischen alteingesessenen und zugewanderten Dresdner*innen werden in allen Stadtteilen gefördert.',
      isExample: true,
      measures: [
        {
          key: 'm-zusammenleben-interkulturelle-tage',
          code: '11.2.1',
          text: 'Fortführung der Interkulturellen Tage und Förderung von Begegnungsprojekten in den Stadtteilen gemeinsam mit Migrantenorganisationen',
          timeframe: '2022–2026',
          relatedPapers: [],
          isExample: true,
          lead: [INTEGRATION],
          support: ['amt-fuer-kultur-und-denkmalschutz'],
          committees: [IAB],
        },
      ],
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Consultation
// ---------------------------------------------------------------------------------------------

export const demoConsultation: DemoConsultation = {
  slug: 'aktionsplan-integration-2022-2026',
  title: 'Aktionsplan Integration 2022 bis 2026',
  summary:
    'Gemeinsam. Verantwortung. Leben. Der Aktionsplan Integration 2022 bis 2026 benennt die Ziele und Maßnahmen der kommunalen Integrationsarbeit der Landeshauptstadt Dresden bis 2026. ' +
    'Zusammen mit der Analyse der kommunalen Handlungsfelder bildet er das neue Integrationskonzept, das das Integrationskonzept von 2015 ablöst. ' +
    'Nach Beschlussfassung des Stadtrates ist er das verbindliche Arbeitsinstrument der Stadtverwaltung und ihr „strategisches Dach“ im Querschnittsthema Integration; die konkrete Umsetzung liegt in den Ämtern und Eigenbetrieben. ' +
    'Hauptzielgruppen sind die Führungskräfte und Beschäftigten der Ämter und Eigenbetriebe; weitere Zielgruppen sind Zugewanderte, haupt- und ehrenamtliche Aktive bei Vereinen, in kooperierenden Ämtern und in der Politik sowie alle Dresdner*innen.',
  receiptPrefix: 'AI',
  paperReference: 'V1332/21',
  relatedPapers: ['V1070/21', 'V0586/20'],
  contact: 'Büro der Integrations- und Ausländerbeauftragten (Beispielkontakt), integration@example.org',
  phases: [
    {
      kind: 'analysis',
      title: 'Analyse der kommunalen Handlungsfelder',
      description:
        'Öffentliche Diskussion der Analyse, die integrationsrelevante Themen mit kommunalem Bezug betrachtet, die Entwicklungen seit 2015 in elf Handlungsfeldern darstellt und daraus Handlungsbedarfe ableitet. Grundlage sind auch die 2. Berichterstattung zur Umsetzung des bisherigen Konzeptes (V0586/20) und der Tätigkeitsbericht der Integrations- und Ausländerbeauftragten. Die Analyse ging im Herbst 2021 als Informationsvorlage V1070/21 an den Stadtrat und den Integrations- und Ausländerbeirat.',
      opensAt: '2020-11-02T00:00:00+01:00',
      closesAt: '2021-04-30T23:59:59+02:00',
      channels: ['comment', 'statement'],
      moderationMode: 'post',
    },
    {
      kind: 'proposals',
      title: 'Vorschläge für Ziele und Maßnahmen',
      description:
        'Erarbeitung von Vorschlägen für Ziele und Maßnahmen in den Arbeitsgruppen und der Koordinierungsgruppe sowie erste Ämterabfrage. Drei öffentliche Beteiligungsveranstaltungen; schriftliche Stellungnahmen zur Analyse und zu den Vorschlägen sind möglich.',
      opensAt: '2021-05-03T00:00:00+02:00',
      closesAt: '2021-07-31T23:59:59+02:00',
      channels: ['comment', 'statement', 'event'],
      moderationMode: 'post',
    },
    {
      kind: 'draft_review',
      title: 'Diskussion des Entwurfs',
      description:
        'Der Entwurf des Aktionsplans wird öffentlich und in den Gremien diskutiert; parallel läuft die zweite Ämterabfrage vor dem regulären Umlauf in den Geschäftsbereichen. Kommentare werden vor der Veröffentlichung geprüft, weil sie unmittelbar in die Abwägungstabelle für die Gremien eingehen.',
      opensAt: '2021-09-01T00:00:00+02:00',
      closesAt: '2021-11-30T23:59:59+01:00',
      channels: ['comment', 'statement'],
      moderationMode: 'pre',
    },
    {
      kind: 'decision',
      title: 'Beschluss durch den Stadtrat',
      description:
        'Beratung der Vorlage V1332/21 im Integrations- und Ausländerbeirat und in den Ausschüssen, anschließend Beschluss durch den Stadtrat. In dieser Phase sind keine Beiträge mehr möglich.',
      opensAt: '2022-01-10T00:00:00+01:00',
      closesAt: '2022-06-30T23:59:59+02:00',
      channels: [],
      moderationMode: 'post',
    },
  ],
  versions: [
    {
      label: 'Entwurf 1',
      status: 'published',
      principles,
      crossCuttingMeasures,
      fields: [
        fieldSpracheV1,
        fieldKita,
        fieldSchule,
        fieldKinderJugendhilfe,
        fieldArbeitV1,
        fieldWohnenV1,
        fieldGesundheit,
        fieldSoziales,
        fieldKulturSport,
        fieldPartizipation,
        fieldZusammenleben,
      ],
    },
    {
      // Differs from Entwurf 1: 1.1.3 added, 5.1.2 reworded, 6.1.2 removed (all invented).
      label: 'Entwurf 2',
      status: 'draft',
      principles,
      crossCuttingMeasures,
      fields: [
        fieldSpracheV2,
        fieldKita,
        fieldSchule,
        fieldKinderJugendhilfe,
        fieldArbeitV2,
        fieldWohnenV2,
        fieldGesundheit,
        fieldSoziales,
        fieldKulturSport,
        fieldPartizipation,
        fieldZusammenleben,
      ],
    },
  ],
};
