/**
 * The demo consultation's complete Abwägung: what came in during the 2021 draft review
 * (comments, replies, written statements, letters and e-mails entered by the office, in German,
 * Ukrainian, Russian, Arabic and English), how the office sorted it (tags, the item each is
 * really about, one statement in three sections, one campaign as a group), the department round
 * on Entwurf 1 with the departments' drafts, the approved answers with their Votum and the
 * changes they caused in Entwurf 2, the published answers, and the four exports of the
 * Abwägungstabelle waiting for the report worker.
 *
 * Every contribution, name and answer here is invented for the demo (the names are plainly
 * fictional, the addresses are example.org); nothing is taken from the real 2021 participation.
 * It is written straight into the tables, like the rest of the demo, so it does not depend on the
 * consolidation services.
 */
import { and, count, eq, inArray } from 'drizzle-orm';
import { announceChange } from '../../core/cache.js';
import type { DbOrTx } from '../../db/index.js';
import { users } from '../accounts/schema.js';
import { auditEntries } from '../audit/schema.js';
import {
  assignments,
  committeeReports,
  consolidationSettings,
  contributionGroupMembers,
  contributionGroups,
  contributionSections,
  contributionTags,
  departmentRounds,
  reportFormats,
  responses,
  tags,
  type Verdict,
} from '../consolidation/schema.js';
import { departments } from '../departments/schema.js';
import { CONTRIBUTIONS_TAG } from '../participation/service.js';
import { contributionReferences, contributions, organisations, receiptCounters, type TargetKind } from '../participation/schema.js';
import { consultations, phases, planVersions } from '../plans/schema.js';
import { demoConsultation } from './content.js';
import { demoOrganisations } from './organisations.js';

interface Target {
  kind: TargetKind;
  key: string | null;
}
const measure = (key: string): Target => ({ kind: 'measure', key });
const goal = (key: string): Target => ({ kind: 'goal', key });
const field = (key: string): Target => ({ kind: 'field', key });
const wholePlan: Target = { kind: 'consultation', key: null };

type Author =
  | { type: 'participant' }
  | { type: 'representative' }
  | { type: 'guest'; email: string; name?: string }
  | { type: 'staff'; channel: 'letter' | 'email'; name: string; details: string; email?: string };

interface Answer {
  text: string;
  verdict: Verdict;
  /** Department (slug) the unit went to in the round; none: the office answered it directly. */
  department?: string;
  /** Where the department's recommendation differed from the final answer. */
  draft?: { text?: string; verdict?: Verdict };
  /** The first department, which handed it over to `department` with this note. */
  handedOverFrom?: { department: string; note: string };
  /** Approved by a second organiser (the admin) as well. */
  secondApproval?: boolean;
  /** The change it caused: a measure of Entwurf 2 (by key) and/or a note. */
  change?: { key?: string; note: string };
  internalNote?: string;
}

interface ContributionSpec {
  ref: string;
  kind: 'comment' | 'statement';
  /** Received (and, online, created) at. */
  at: string;
  language: string;
  title?: string;
  body: string;
  /** German translation of a text in another language (entered by the office). */
  translation?: string;
  /** Comments: the item commented on. */
  target?: Target;
  /** Statements: the items referred to (none: the whole plan). */
  refs?: Target[];
  parent?: string;
  author: Author;
  organisation?: number; // index into demoOrganisations
  publishName?: boolean;
  /** Rejected by moderation (personal data), kept for the consolidation. */
  rejected?: 'personal_data';
  tags?: string[];
  /** The item it is really about, when the office sorted it elsewhere. */
  sortedTo?: Target;
  /** The answer to its own unit; absent for members of the group and the sectioned statement. */
  answer?: Answer;
}

const INTEGRATION = 'buero-der-integrations-und-auslaenderbeauftragten';

export const TAG_LABELS = ['Sprache', 'Kita', 'Verwaltung', 'Wohnen'] as const;

// ---------------------------------------------------------------------------------------------
// The contributions (received 1 September to 30 November 2021)
// ---------------------------------------------------------------------------------------------

const CAMPAIGN = 'Ich arbeite tagsüber und kann deshalb keinen Integrationskurs am Vormittag besuchen. Bitte sorgen Sie dafür, dass es in Dresden mehr Deutschkurse am Abend und am Wochenende gibt.';

const SECTIONS: Array<{ body: string; target: Target; answer: Answer }> = [
  {
    body:
      'Zu Maßnahme 4.2.1: Wir begrüßen, dass die Kosten der Sprach- und Kulturmittlung in die Finanzierung der Träger einfließen sollen. Wir regen an, hierfür einen verbindlichen Mindestbetrag je Beratungsfall festzulegen und die Sprachmittler*innen angemessen zu vergüten, damit qualifizierte Kräfte gewonnen werden können.',
    target: measure('m-jha-sprachmittlung-kosten'),
    answer: {
      verdict: 'partly_accepted',
      department: 'jugendamt',
      text:
        'Die Anregung wird teilweise berücksichtigt. Die Kosten der Sprach- und Kulturmittlung werden ab der Förderperiode 2023 als förderfähige Kosten in den Finanzierungsgrundlagen der Leistungserbringer*innen anerkannt; die Vergütung orientiert sich an den Sätzen des Gemeindedolmetscherdienstes. Ein fester Mindestbetrag je Beratungsfall wird nicht festgelegt, weil der Bedarf je nach Angebot sehr unterschiedlich ist.',
    },
  },
  {
    body:
      'Zu Maßnahme 1.2.1: Die Überarbeitung der Formulare sollte gemeinsam mit Zugewanderten erfolgen. Wir bieten an, Entwürfe in unseren Beratungsgruppen zu erproben. Außerdem sollten Bescheide der Ausländerbehörde eine verständliche Zusammenfassung in der Sprache der Empfänger*innen enthalten.',
    target: measure('m-sprache-formulare'),
    answer: {
      verdict: 'partly_accepted',
      department: 'buergeramt',
      secondApproval: true,
      text:
        'Die Anregung wird teilweise berücksichtigt. Das Bürgeramt nimmt das Angebot an und wird die überarbeiteten Formulare und Merkblätter vor ihrer Einführung in den Beratungsgruppen des Vereins erproben. Bescheide werden in deutscher Sprache erlassen (§ 23 Verwaltungsverfahrensgesetz); mehrsprachige Merkblätter, die die häufigsten Bescheidarten erläutern, werden den Bescheiden künftig beigefügt.',
    },
  },
  {
    body:
      'Zu Maßnahme 11.1.1: Die Beschwerdestelle muss mehrsprachig erreichbar sein, auch telefonisch und ohne Termin. Sie sollte jährlich öffentlich berichten, wie viele Beschwerden eingegangen sind und was sich daraufhin verändert hat.',
    target: measure('m-zusammenleben-beschwerdestelle'),
    answer: {
      verdict: 'accepted',
      department: INTEGRATION,
      text:
        'Die Anregung wird berücksichtigt. Die Beschwerdestelle wird telefonisch, per E-Mail und in offenen Sprechzeiten ohne Termin erreichbar sein; bei Bedarf wird der Gemeindedolmetscherdienst hinzugezogen. Sie legt dem Integrations- und Ausländerbeirat und dem Ausschuss für Allgemeine Verwaltung, Ordnung und Sicherheit jährlich einen öffentlichen Bericht vor.',
    },
  },
];

const SECTIONED_STATEMENT_BODY = [
  'Sehr geehrte Damen und Herren,',
  'der Ausländerrat Beispielstadt e. V. bedankt sich für die Möglichkeit, zum Entwurf des Aktionsplans Integration 2022 bis 2026 Stellung zu nehmen. Unsere Anmerkungen beruhen auf den Erfahrungen aus unserer Beratungsarbeit und unseren Sprachcafés.',
  ...SECTIONS.map((s) => s.body),
  'Für Rückfragen stehen wir gern zur Verfügung.',
  'Mit freundlichen Grüßen\nder Vorstand',
].join('\n\n');

const GROUP = {
  title: 'Sammelanliegen: mehr Deutschkurse am Abend und am Wochenende',
  members: ['campaign-1', 'campaign-2', 'campaign-3', 'campaign-4', 'campaign-5'],
  target: goal('g-sprache-kurse'),
  answer: {
    verdict: 'partly_accepted',
    department: INTEGRATION,
    text:
      'Die Anregung wird teilweise berücksichtigt. Integrationskurse werden vom Bundesamt für Migration und Flüchtlinge gefördert und von freien Trägern angeboten; ihre Kurszeiten legt die Landeshauptstadt Dresden nicht fest. Das Büro der Integrations- und Ausländerbeauftragten wird den Bedarf an Abend- und Wochenendkursen gegenüber dem Bundesamt und den Kursträgern darlegen. In der Online-Übersicht nach Maßnahme 1.1.1 werden Kurse am Abend und am Wochenende gesondert auffindbar sein.',
  } satisfies Answer,
};

const specs: ContributionSpec[] = [
  {
    ref: 'kursuebersicht',
    kind: 'comment',
    at: '2021-09-06T07:14:00Z',
    language: 'de',
    target: measure('m-sprache-kursuebersicht'),
    author: { type: 'participant' },
    tags: ['Sprache'],
    body:
      'Eine Übersicht über alle Sprachkurse ist überfällig. Bitte nicht nur als Liste, sondern mit Filtern nach Stadtteil, Niveau (A1 bis C1) und Uhrzeit – und mit dem Hinweis, ob es freie Plätze gibt. Viele Kurse sind seit Monaten ausgebucht, ohne dass man es auf den Webseiten der Träger erfährt.',
    answer: {
      verdict: 'partly_accepted',
      department: INTEGRATION,
      text:
        'Die Anregung wird teilweise berücksichtigt. Die Online-Übersicht nach Maßnahme 1.1.1 wird mit Filtern nach Stadtteil, Sprachniveau und Kurszeit aufgebaut. Freie Plätze tagesaktuell anzuzeigen setzt voraus, dass die Kursträger diese Angaben laufend melden; das Büro der Integrations- und Ausländerbeauftragten stimmt dies mit den Trägern ab, kann es jedoch nicht verbindlich zusagen.',
    },
  },
  {
    ref: 'kursuebersicht-antwort',
    kind: 'comment',
    at: '2021-09-08T16:40:00Z',
    language: 'de',
    parent: 'kursuebersicht',
    target: measure('m-sprache-kursuebersicht'),
    author: { type: 'guest', email: 'jana.sprachcafe@example.org' },
    tags: ['Sprache'],
    body: 'Dem schließe ich mich an. Wichtig wäre auch, dass die Übersicht auf dem Handy gut funktioniert – die meisten in unserem Sprachcafé haben keinen Computer.',
    answer: {
      verdict: 'already_covered',
      text:
        'Die Anregung ist bereits berücksichtigt. Die Übersicht wird barrierearm und für Mobilgeräte gestaltet; das gehört zu den Anforderungen an alle Online-Angebote der Landeshauptstadt Dresden.',
    },
  },
  {
    ref: 'gdd',
    kind: 'comment',
    at: '2021-09-10T09:05:00Z',
    language: 'de',
    target: measure('m-d-interkulturelle-oeffnung'),
    author: { type: 'guest', email: 'beratung.nord@example.org' },
    tags: ['Sprache', 'Verwaltung'],
    body:
      'Der Gemeindedolmetscherdienst ist großartig, aber man muss ihn rund zwei Wochen vorher buchen. Für kurzfristige Termine im Sozialamt oder in der Ausländerbehörde bräuchte es Telefon- oder Videodolmetschen.',
    answer: {
      verdict: 'accepted',
      department: INTEGRATION,
      text:
        'Die Anregung wird berücksichtigt. Im Rahmen der Maßnahme D.1 prüft die Stadtverwaltung ergänzend zum Gemeindedolmetscherdienst den Einsatz von Telefon- und Videodolmetschen für kurzfristige Termine; eine Erprobung im Sozialamt und im Bürgeramt ist für 2022 vorgesehen.',
    },
  },
  {
    ref: 'gdd-antwort',
    kind: 'comment',
    at: '2021-09-13T11:30:00Z',
    language: 'de',
    parent: 'gdd',
    target: measure('m-d-interkulturelle-oeffnung'),
    author: { type: 'guest', email: 'm.haase@example.org' },
    body: 'Videodolmetschen funktioniert in unserer Beratungsstelle seit der Pandemie gut, auch für seltenere Sprachen wie Tigrinya. Wichtig ist nur ein ruhiger Raum mit gutem Bildschirm.',
    answer: {
      verdict: 'noted',
      text: 'Der Erfahrungsbericht wird zur Kenntnis genommen und in die Prüfung des Video- und Telefondolmetschens nach Maßnahme D.1 einbezogen.',
    },
  },
  {
    ref: 'kita-platz',
    kind: 'comment',
    at: '2021-09-09T18:22:00Z',
    language: 'de',
    target: measure('m-kita-kooperationsmodell'),
    author: { type: 'participant' },
    tags: ['Kita'],
    body:
      'Wir haben zwei Jahre auf einen Kitaplatz gewartet. Viele Familien in unserer früheren Unterkunft wussten gar nicht, dass man sich über das Elternportal anmelden muss und dass es auch Kindertagespflege gibt. Eine Beratung direkt in den Unterkünften und an den Begegnungsorten wäre sehr hilfreich.',
    answer: {
      verdict: 'accepted',
      department: 'amt-fuer-kindertagesbetreuung',
      text:
        'Die Anregung wird berücksichtigt. Das Kooperationsmodell nach Maßnahme 2.1.2 sieht vor, Familien an Begegnungsorten über die Anmeldung im Elternportal und über die Kindertagespflege zu informieren. Das Amt für Kindertagesbetreuung nimmt die Gemeinschaftsunterkünfte als weitere Beratungsorte in das Modell auf.',
    },
  },
  {
    ref: 'sprachcafe-uk',
    kind: 'comment',
    at: '2021-09-14T15:02:00Z',
    language: 'uk',
    target: measure('m-sprache-sprachcafes'),
    author: { type: 'guest', email: 'olena.k@example.org' },
    tags: ['Sprache'],
    body:
      'Я відвідую мовне кафе в центрі міста, і воно мені дуже допомагає. Але в Прохлісі та Горбіці, де живе багато сімей, таких зустрічей майже немає. Будь ласка, підтримуйте мовні кафе саме в цих районах і в другій половині дня, коли діти вже повернулися зі школи.',
    translation:
      'Ich besuche ein Sprachcafé in der Innenstadt, und es hilft mir sehr. Aber in Prohlis und Gorbitz, wo viele Familien leben, gibt es solche Treffen kaum. Bitte fördern Sie Sprachcafés gerade in diesen Stadtteilen und am Nachmittag, wenn die Kinder schon aus der Schule zurück sind.',
    answer: {
      verdict: 'already_covered',
      department: INTEGRATION,
      text:
        'Die Anregung ist bereits berücksichtigt. Maßnahme 1.1.2 sieht vor, ehrenamtliche Sprachcafés vorrangig in Stadtteilen ohne wohnortnahe Kursangebote zu fördern; Prohlis und Gorbitz gehören dazu. Die Hinweise zu den Uhrzeiten werden an die Träger der Sprachcafés weitergegeben.',
    },
  },
  {
    ref: 'jha-uam',
    kind: 'comment',
    at: '2021-09-16T10:48:00Z',
    language: 'de',
    target: measure('m-jha-uam-konzeption'),
    author: { type: 'guest', email: 'vormundschaft.ehrenamt@example.org' },
    body:
      'Bei der Fortschreibung der Konzeption für unbegleitete Minderjährige sollte geregelt werden, was mit 18 passiert. Viele Jugendliche verlieren mit der Volljährigkeit von einem Tag auf den anderen ihre Betreuung, obwohl sie mitten in der Ausbildung sind.',
    answer: {
      verdict: 'accepted',
      department: 'jugendamt',
      text:
        'Die Anregung wird berücksichtigt. Die fortgeschriebene Konzeption wird den Übergang in die Volljährigkeit ausdrücklich behandeln, einschließlich der Hilfen für junge Volljährige nach § 41 SGB VIII und der Zusammenarbeit mit den Ausbildungsbetrieben.',
    },
  },
  {
    ref: 'formulare-ar',
    kind: 'comment',
    at: '2021-09-20T13:15:00Z',
    language: 'ar',
    target: measure('m-sprache-formulare'),
    author: { type: 'guest', email: 'r.almasri@example.org' },
    tags: ['Verwaltung', 'Sprache'],
    body:
      'الرسائل التي تصلني من دائرة الأجانب مكتوبة بلغة ألمانية صعبة جداً، ولا أفهم أحياناً ما المطلوب مني وما هو الموعد النهائي. أرجو أن تكون هناك ترجمة عربية للنماذج المهمة على الأقل، وأن يُكتب الموعد النهائي بوضوح في أعلى الرسالة.',
    translation:
      'Die Briefe, die ich von der Ausländerbehörde bekomme, sind in sehr schwierigem Deutsch geschrieben, und manchmal verstehe ich nicht, was von mir verlangt wird und bis wann. Bitte bieten Sie wenigstens für die wichtigen Formulare eine arabische Übersetzung an und schreiben Sie die Frist deutlich oben in den Brief.',
    answer: {
      verdict: 'accepted',
      department: 'buergeramt',
      text:
        'Die Anregung wird berücksichtigt. Das Bürgeramt überarbeitet im Rahmen der Maßnahme 1.2.1 die meistgenutzten Schreiben und Formulare der Ausländerbehörde in leicht verständlicher Sprache; Fristen werden künftig hervorgehoben am Anfang des Schreibens genannt. Arabisch gehört zu den Sprachen, in die die Merkblätter übersetzt werden.',
    },
  },
  {
    ref: 'unternehmen',
    kind: 'comment',
    at: '2021-09-22T08:37:00Z',
    language: 'de',
    target: measure('m-arbeit-unternehmen-information'),
    author: { type: 'guest', email: 'tischlerei.beispiel@example.org' },
    body:
      'Eine Informationsveranstaltung im Jahr ist zu wenig. Gerade kleine Handwerksbetriebe wissen nicht, welche Formalitäten bei der Ausbildung von Geflüchteten nötig sind. Bitte holen Sie die Handwerkskammer und die Arbeitsagentur mit ins Boot.',
    answer: {
      verdict: 'accepted',
      department: 'amt-fuer-wirtschaftsfoerderung',
      secondApproval: true,
      text:
        'Die Anregung wird berücksichtigt. Maßnahme 5.1.2 wurde im zweiten Entwurf geändert: Künftig finden mindestens zwei Informationsveranstaltungen pro Jahr für kleine und mittlere Unternehmen zur Ausbildung und Beschäftigung von Zugewanderten statt, gemeinsam mit den Kammern und der Agentur für Arbeit.',
      change: { key: 'm-arbeit-unternehmen-information', note: 'Maßnahme 5.1.2 in Entwurf 2 erweitert: mindestens zwei Veranstaltungen im Jahr, Ausbildung einbezogen, mit Kammern und Agentur für Arbeit.' },
    },
  },
  {
    ref: 'broschuere-veraltet',
    kind: 'comment',
    at: '2021-09-24T19:10:00Z',
    language: 'de',
    target: measure('m-wohnen-broschuere'),
    author: { type: 'guest', email: 'wohnprojekt.pieschen@example.org' },
    tags: ['Wohnen'],
    body:
      'Eine gedruckte Broschüre ist nach einem Jahr veraltet: Adressen, Mietobergrenzen und Ansprechpersonen ändern sich ständig. Das Geld wäre in der persönlichen Beratung besser angelegt.',
    answer: {
      verdict: 'accepted',
      department: 'sozialamt',
      text:
        'Die Anregung wird berücksichtigt. Die Maßnahme 6.1.2 (Broschüre „Wohnen in Dresden“) entfällt im zweiten Entwurf. Die vorgesehenen Mittel werden für die mehrsprachige Wohnungsberatung nach Maßnahme 6.1.1 eingesetzt; aktuelle Informationen stellt das Sozialamt online bereit.',
      change: { note: 'Maßnahme 6.1.2 entfällt in Entwurf 2; die Mittel gehen in die Wohnungsberatung (6.1.1).' },
    },
  },
  {
    ref: 'interkulturelle-tage',
    kind: 'comment',
    at: '2021-09-27T12:00:00Z',
    language: 'de',
    target: measure('m-zusammenleben-interkulturelle-tage'),
    author: { type: 'representative' },
    organisation: 0,
    body:
      'Die Interkulturellen Tage sind seit Jahren ein fester Termin für unsere Mitglieder. Wir würden uns freuen, wenn die Förderanträge für Begegnungsprojekte einfacher würden – ein zweiseitiges Formular würde kleinen Vereinen sehr helfen.',
    answer: {
      verdict: 'noted',
      department: INTEGRATION,
      text:
        'Die Anregung wird zur Kenntnis genommen. Die Antragsvoraussetzungen ergeben sich aus der Förderrichtlinie der Landeshauptstadt Dresden; ihre Vereinfachung wird bei der nächsten Überarbeitung der Richtlinie geprüft. Bis dahin berät das Büro der Integrations- und Ausländerbeauftragten Vereine bei der Antragstellung.',
    },
  },
  {
    ref: 'sprachmittlung-ru',
    kind: 'comment',
    at: '2021-09-28T09:41:00Z',
    language: 'ru',
    target: measure('m-jha-sprachmittlung-kosten'),
    author: { type: 'guest', email: 'natalia.familienberatung@example.org' },
    tags: ['Sprache'],
    body:
      'Я работаю в консультации для семей. Часто мы не можем пригласить переводчика, потому что в бюджете проекта на это нет денег. Тогда переводят дети, а это недопустимо, особенно когда речь идёт о проблемах в семье. Пожалуйста, заложите расходы на переводчиков в финансирование.',
    translation:
      'Ich arbeite in einer Familienberatungsstelle. Oft können wir keine Dolmetscherin hinzuziehen, weil im Projektbudget kein Geld dafür vorgesehen ist. Dann übersetzen die Kinder, und das ist nicht hinnehmbar, besonders wenn es um Probleme in der Familie geht. Bitte planen Sie die Kosten für Dolmetschende in der Finanzierung ein.',
    answer: {
      verdict: 'accepted',
      department: 'jugendamt',
      secondApproval: true,
      text:
        'Die Anregung wird berücksichtigt. Nach Maßnahme 4.2.1 werden die Kosten der Sprach- und Kulturmittlung ab der Förderperiode 2023 in den Finanzierungsgrundlagen der Leistungserbringer*innen der Kinder- und Jugendhilfe berücksichtigt. Das Jugendamt teilt die Auffassung, dass Kinder nicht als Dolmetschende eingesetzt werden sollen (vgl. Maßnahme D.1).',
    },
  },
  {
    ref: 'wohnen-beratung',
    kind: 'comment',
    at: '2021-09-30T17:25:00Z',
    language: 'de',
    target: measure('m-wohnen-beratung'),
    author: { type: 'guest', email: 'familie.h@example.org' },
    tags: ['Wohnen'],
    body:
      'Wir wohnen seit vier Jahren in einer Gemeinschaftsunterkunft, obwohl wir längst ausziehen dürften. Vermieter sagen am Telefon ab, sobald sie unseren Namen hören. Beratung allein hilft nicht – die Stadt muss mit der kommunalen Wohnungsgesellschaft und den Genossenschaften Wohnungen für Geflüchtete bereitstellen.',
    answer: {
      verdict: 'partly_accepted',
      department: 'sozialamt',
      draft: {
        text:
          'Die Anregung wird teilweise berücksichtigt. Die mehrsprachige Wohnungsberatung nach Maßnahme 6.1.1 wird ausgebaut und umfasst künftig auch die Begleitung zu Besichtigungen und Gesprächen mit Vermieter*innen. Feste Kontingente sind nicht Bestandteil des Aktionsplans.',
      },
      text:
        'Die Anregung wird teilweise berücksichtigt. Die mehrsprachige Wohnungsberatung nach Maßnahme 6.1.1 wird ausgebaut und umfasst künftig auch die Begleitung zu Besichtigungen und Gesprächen mit Vermieter*innen. Feste Kontingente bei der kommunalen Wohnungsgesellschaft und den Genossenschaften sind nicht Bestandteil des Aktionsplans; das Sozialamt nutzt die bestehenden Belegungsrechte auch für die Versorgung von Geflüchteten mit Wohnraum. Diskriminierung bei der Wohnungssuche kann bei der Antidiskriminierungsberatung gemeldet werden.',
    },
  },
  {
    ref: 'kita-sprachkurs-uk',
    kind: 'comment',
    at: '2021-10-02T06:55:00Z',
    language: 'uk',
    target: goal('g-kita-zugang'),
    sortedTo: goal('g-sprache-kurse'),
    author: { type: 'guest', email: 'iryna.m@example.org' },
    tags: ['Kita', 'Sprache'],
    body:
      'Я мама дворічної дитини. Я хочу вивчати німецьку мову, але не можу ходити на курс, бо для моєї доньки немає місця в дитячому садку. Було б добре, якби були мовні курси з доглядом за дітьми під час занять.',
    translation:
      'Ich bin Mutter eines zweijährigen Kindes. Ich möchte Deutsch lernen, kann aber keinen Kurs besuchen, weil es für meine Tochter keinen Kitaplatz gibt. Es wäre gut, wenn es Sprachkurse mit Kinderbetreuung während des Unterrichts gäbe.',
    answer: {
      verdict: 'accepted',
      department: INTEGRATION,
      secondApproval: true,
      text:
        'Die Anregung wird berücksichtigt. In den zweiten Entwurf wurde die neue Maßnahme 1.1.3 aufgenommen: Sprachkursangebote mit begleitender Kinderbetreuung werden geprüft und ausgebaut, insbesondere für Eltern von Kindern unter drei Jahren.',
      change: { key: 'm-sprache-kurse-kinderbetreuung', note: 'Neue Maßnahme 1.1.3 in Entwurf 2: Sprachkurse mit begleitender Kinderbetreuung.' },
      internalNote: 'Vom Ziel 2.1 (Kita) zu Ziel 1.1 (Sprachkurse) umsortiert; gleiches Anliegen kam in der Beiratssitzung vom 14.10.2021.',
    },
  },
  {
    ref: 'campaign-1',
    kind: 'comment',
    at: '2021-10-04T18:03:00Z',
    language: 'de',
    target: goal('g-sprache-kurse'),
    author: { type: 'guest', email: 'a.nouri@example.org' },
    tags: ['Sprache'],
    body: CAMPAIGN,
  },
  {
    ref: 'jha-gremium',
    kind: 'comment',
    at: '2021-10-05T14:20:00Z',
    language: 'de',
    target: measure('m-jha-gremium-kindeswohl'),
    author: { type: 'guest', email: 'schulsozialarbeit.sued@example.org' },
    body: 'Das Gremium zwischen Jugendamt und Ausländerbehörde ist wichtig. Bitte beziehen Sie auch die Schulen und die Träger der Jugendhilfe ein, denn sie kennen die Kinder oft am besten.',
    answer: {
      verdict: 'partly_accepted',
      department: 'jugendamt',
      text:
        'Die Anregung wird teilweise berücksichtigt. Das Gremium nach Maßnahme 4.1.2 dient dem Fachaustausch zwischen Jugendamt und Ausländerbehörde; Schulen und freie Träger werden zu einzelnen Themen als Gäste eingeladen. Eine ständige Mitgliedschaft ist wegen des Schutzes personenbezogener Daten in Fallbesprechungen nicht vorgesehen.',
    },
  },
  { ref: 'campaign-2', kind: 'comment', at: '2021-10-05T19:47:00Z', language: 'de', target: goal('g-sprache-kurse'), author: { type: 'guest', email: 'tran.v@example.org' }, tags: ['Sprache'], body: 'Ich arbeite tagsüber und kann keinen Deutschkurs am Vormittag besuchen. Bitte sorgen Sie dafür, dass es in Dresden mehr Sprachkurse am Abend und am Wochenende gibt.' },
  {
    ref: 'broschuere-sprachen',
    kind: 'comment',
    at: '2021-10-07T10:12:00Z',
    language: 'de',
    target: measure('m-wohnen-broschuere'),
    author: { type: 'guest', email: 'unterkunft.ehrenamt@example.org' },
    tags: ['Wohnen'],
    body: 'Bitte die Broschüre nicht nur in acht, sondern in allen Sprachen herausgeben, die in den Gemeinschaftsunterkünften gesprochen werden, auch auf Tigrinya, Farsi und Dari.',
    answer: {
      verdict: 'not_accepted',
      department: 'sozialamt',
      text:
        'Die Anregung wird nicht berücksichtigt. Die Broschüre „Wohnen in Dresden“ entfällt im zweiten Entwurf, weil gedruckte Informationen zum Wohnungsmarkt schnell veralten. Stattdessen wird die mehrsprachige Wohnungsberatung nach Maßnahme 6.1.1 ausgebaut; für weitere Sprachen wird der Gemeindedolmetscherdienst hinzugezogen.',
    },
  },
  { ref: 'campaign-3', kind: 'comment', at: '2021-10-07T20:31:00Z', language: 'de', target: goal('g-sprache-kurse'), author: { type: 'guest', email: 'k.osei@example.org' }, tags: ['Sprache'], body: 'Ich arbeite im Schichtdienst und kann deshalb keinen Integrationskurs am Vormittag besuchen. Bitte sorgen Sie dafür, dass es mehr Deutschkurse am Abend und am Wochenende gibt.' },
  { ref: 'campaign-4', kind: 'comment', at: '2021-10-09T08:18:00Z', language: 'de', target: goal('g-sprache-kurse'), author: { type: 'guest', email: 'l.petrova@example.org' }, tags: ['Sprache'], body: `${CAMPAIGN} Danke!` },
  { ref: 'campaign-5', kind: 'comment', at: '2021-10-11T17:56:00Z', language: 'de', target: goal('g-sprache-kurse'), author: { type: 'guest', email: 's.yilmaz@example.org' }, tags: ['Sprache'], body: 'Wir arbeiten tagsüber und können deshalb keinen Integrationskurs am Vormittag besuchen. Bitte sorgen Sie dafür, dass es in Dresden mehr Deutschkurse am Abend und am Wochenende gibt.' },
  {
    ref: 'schulsozialarbeit',
    kind: 'comment',
    at: '2021-10-12T15:33:00Z',
    language: 'de',
    target: measure('m-jha-schulindex-schulsozialarbeit'),
    author: { type: 'participant' },
    body:
      'An unserer Oberschule in Gorbitz hat mehr als die Hälfte der Kinder eine Migrationsgeschichte, aber es gibt nur eine halbe Stelle Schulsozialarbeit. Der Schulindex muss endlich dazu führen, dass solche Schulen zuerst mehr Personal bekommen.',
    answer: {
      verdict: 'partly_accepted',
      department: 'jugendamt',
      handedOverFrom: { department: 'amt-fuer-schulen', note: 'Die Schulsozialarbeit liegt in der fachlichen Zuständigkeit des Jugendamtes; bitte dort beantworten. Angaben zum Schulindex liefern wir bei Bedarf zu.' },
      text:
        'Die Anregung wird teilweise berücksichtigt. Nach Maßnahme 4.2.2 fließt die Schüler*innen-Struktur über den Dresdner Schulindex in die Verteilung der Schulsozialarbeit ein; Schulen mit hohem Indexwert werden beim weiteren Ausbau vorrangig berücksichtigt. Eine Zusage für einzelne Schulen kann der Aktionsplan nicht geben; über den Ausbau entscheidet der Jugendhilfeausschuss im Rahmen der Haushaltsplanung.',
    },
  },
  {
    ref: 'elternbefragung-en',
    kind: 'comment',
    at: '2021-10-13T11:09:00Z',
    language: 'en',
    target: measure('m-kita-elternbefragungen'),
    author: { type: 'guest', email: 'j.fernandes@example.org' },
    tags: ['Kita'],
    body:
      'Good to see that the parent surveys will be available in English. Many international families at the university and the research institutes do not read German well yet. Please also send the survey link by e-mail in both languages, not only as a paper form handed out at the Kita.',
    translation:
      'Gut, dass die Elternbefragungen auch auf Englisch angeboten werden. Viele internationale Familien an der Universität und den Forschungsinstituten lesen noch nicht gut Deutsch. Bitte verschicken Sie den Link zur Befragung auch per E-Mail in beiden Sprachen, nicht nur als Papierbogen in der Kita.',
    answer: {
      verdict: 'already_covered',
      department: 'amt-fuer-kindertagesbetreuung',
      text:
        'Die Anregung ist bereits berücksichtigt. Die Elternbefragung wird nach Maßnahme 2.1.1 zweisprachig (Deutsch/Englisch) durchgeführt; die Eltern erhalten den Zugang zur Online-Befragung über die Einrichtungen in Papierform und per E-Mail.',
    },
  },
  {
    ref: 'hallenzeiten',
    kind: 'comment',
    at: '2021-10-15T13:44:00Z',
    language: 'de',
    target: measure('m-sport-hallenzeiten'),
    author: { type: 'guest', email: 'frauenschwimmen@example.org' },
    body: 'Unser Schwimmkurs für Frauen findet seit einem Jahr keine Wasserzeit. Bitte reservieren Sie auch Zeiten für Angebote nur für Frauen, damit muslimische Frauen schwimmen lernen können.',
    answer: {
      verdict: 'partly_accepted',
      department: 'eigenbetrieb-sportstaetten',
      text:
        'Die Anregung wird teilweise berücksichtigt. Der Eigenbetrieb Sportstätten vergibt Hallen- und Wasserzeiten nach transparenten Kriterien, die nach Maßnahme 9.1.2 auch Angebote von Migrantenorganisationen berücksichtigen. Feste Kontingente für einzelne Zielgruppen werden nicht eingerichtet; Angebote nur für Frauen können sich im regulären Vergabeverfahren bewerben und werden dabei beraten.',
    },
  },
  {
    ref: 'elterninfo-schule',
    kind: 'comment',
    at: '2021-10-18T19:02:00Z',
    language: 'de',
    target: measure('m-schule-elterninformation'),
    author: { type: 'guest', email: 'elternrat.gs@example.org' },
    tags: ['Sprache'],
    body: 'Die Bildungsempfehlung nach Klasse 4 ist für viele Eltern ein Rätsel. Bitte bieten Sie die Informationsabende auch mit Dolmetschenden an, nicht nur schriftliches Material.',
    answer: {
      verdict: 'partly_accepted',
      department: 'amt-fuer-schulen',
      text:
        'Die Anregung wird teilweise berücksichtigt. Die mehrsprachigen Elterninformationen zum Übergang an weiterführende Schulen werden gemeinsam mit dem Landesamt für Schule und Bildung erarbeitet. Informationsabende verantworten die Schulen und das Landesamt; das Amt für Schulen regt an, sie an Schulen mit vielen zugewanderten Familien mit Sprachmittlung durchzuführen, und weist auf den Gemeindedolmetscherdienst hin.',
    },
  },
  {
    ref: 'welcome-center-mail',
    kind: 'comment',
    at: '2021-10-19T08:00:00Z',
    language: 'de',
    target: measure('m-soziales-welcome-center'),
    author: { type: 'staff', channel: 'email', name: 'Hans-Jürgen W.', details: 'E-Mail vom 19.10.2021 an das Büro der Integrations- und Ausländerbeauftragten', email: 'hj.w@example.org' },
    tags: ['Verwaltung'],
    body: 'Als ehrenamtlicher Begleiter erlebe ich, dass Neuankommende nicht wissen, dass es das Welcome Center gibt. Ein Hinweis im Begrüßungsschreiben bei der Anmeldung wäre einfach und wirksam.',
    answer: {
      verdict: 'accepted',
      department: 'buergeramt',
      text:
        'Die Anregung wird berücksichtigt. Ab 2022 erhalten Personen, die aus dem Ausland zuziehen, bei der Anmeldung im Bürgerbüro ein mehrsprachiges Informationsblatt des Dresden Welcome Centers (Maßnahme 8.1.1).',
    },
  },
  {
    ref: 'mehrsprachigkeit-ar',
    kind: 'comment',
    at: '2021-10-20T16:27:00Z',
    language: 'ar',
    target: measure('m-kita-paedagogische-konzeptionen'),
    author: { type: 'guest', email: 'h.khalil@example.org' },
    tags: ['Kita'],
    body:
      'ابني يتكلم العربية في البيت والألمانية في الروضة. أتمنى أن تشجع الروضة المربيات على احترام اللغة الأم، وأن تكون هناك كتب وأغانٍ بلغات مختلفة، حتى لا يخجل الأطفال من لغتهم.',
    translation:
      'Mein Sohn spricht zu Hause Arabisch und in der Kita Deutsch. Ich wünsche mir, dass die Kita die Erzieherinnen ermutigt, die Muttersprache zu achten, und dass es Bücher und Lieder in verschiedenen Sprachen gibt, damit sich die Kinder ihrer Sprache nicht schämen.',
    answer: {
      verdict: 'accepted',
      department: 'eigenbetrieb-kindertageseinrichtungen',
      text:
        'Die Anregung wird berücksichtigt. Bei der Weiterentwicklung der pädagogischen Konzeptionen nach Maßnahme 2.2.1 baut der Eigenbetrieb Kindertageseinrichtungen mehrsprachige Bilderbücher, Lieder und Medien in den Einrichtungen aus und bildet die Fachkräfte zur wertschätzenden Einbeziehung der Familiensprachen fort.',
    },
  },
  {
    ref: 'mehrsprachigkeit-antwort',
    kind: 'comment',
    at: '2021-10-22T07:50:00Z',
    language: 'de',
    parent: 'mehrsprachigkeit-ar',
    target: measure('m-kita-paedagogische-konzeptionen'),
    author: { type: 'guest', email: 'kita.johannstadt.eltern@example.org' },
    tags: ['Kita'],
    body: 'Genau das erleben wir auch. In unserer Kita in der Johannstadt gibt es inzwischen eine Vorlesestunde, in der Eltern in ihrer Sprache vorlesen – die Kinder lieben das.',
    answer: {
      verdict: 'noted',
      text: 'Das gelungene Beispiel wird dankend zur Kenntnis genommen und an den Eigenbetrieb Kindertageseinrichtungen weitergegeben, damit andere Einrichtungen davon erfahren.',
    },
  },
  {
    ref: 'anerkennung-aerztin',
    kind: 'comment',
    at: '2021-10-26T12:14:00Z',
    language: 'de',
    target: measure('m-arbeit-anerkennung'),
    author: { type: 'guest', email: 'dr.l.haddad@example.org' },
    body: 'Ich bin Ärztin aus Syrien und warte seit über einem Jahr auf die Anerkennung. Die Stadt sollte sich beim Land dafür einsetzen, dass die Verfahren schneller werden.',
    answer: {
      verdict: 'noted',
      department: 'buergeramt',
      draft: { verdict: 'out_of_scope', text: 'Die Anregung betrifft nicht den Gegenstand des Verfahrens. Für die Anerkennung ausländischer Abschlüsse in Heilberufen ist die Landesdirektion Sachsen zuständig.' },
      text:
        'Die Anregung wird zur Kenntnis genommen. Für die Anerkennung ausländischer Abschlüsse in Heilberufen ist die Landesdirektion Sachsen zuständig. Das Dresden Welcome Center berät nach Maßnahme 5.1.1 zu den Verfahren und vermittelt an die Anerkennungsberatungsstellen; die Dauer der Verfahren spricht die Integrations- und Ausländerbeauftragte gegenüber dem Freistaat Sachsen an.',
    },
  },
  {
    ref: 'beschwerdestelle',
    kind: 'comment',
    at: '2021-10-28T20:05:00Z',
    language: 'de',
    target: measure('m-zusammenleben-beschwerdestelle'),
    author: { type: 'participant' },
    tags: ['Verwaltung'],
    body: 'Eine Beschwerdestelle ist gut, aber sie muss unabhängig von den Ämtern sein. Wer sich über das Bürgeramt beschwert, möchte nicht, dass das Bürgeramt die Beschwerde selbst bearbeitet.',
    answer: {
      verdict: 'partly_accepted',
      department: INTEGRATION,
      text:
        'Die Anregung wird teilweise berücksichtigt. Die Beschwerdestelle nach Maßnahme 11.1.1 wird beim Büro der Integrations- und Ausländerbeauftragten angesiedelt und ist damit von den Ämtern und Eigenbetrieben, gegen die sich eine Beschwerde richtet, organisatorisch getrennt. Eine Stelle außerhalb der Stadtverwaltung ist im Aktionsplan nicht vorgesehen; die Zusammenarbeit mit unabhängigen Antidiskriminierungsberatungsstellen wird vereinbart.',
    },
  },
  {
    ref: 'termine-abgelehnt',
    kind: 'comment',
    at: '2021-11-02T09:26:00Z',
    language: 'de',
    target: measure('m-soziales-welcome-center'),
    author: { type: 'guest', email: 'b.kovac@example.org' },
    rejected: 'personal_data',
    tags: ['Verwaltung'],
    body:
      'Seit drei Monaten bekomme ich keinen Termin bei der Ausländerbehörde, mein Aufenthaltstitel läuft im Dezember ab. Frau S. in Zimmer 214 (Telefon 0351 000 0000) geht nie ans Telefon. Es braucht eine Online-Terminvergabe und eine Bestätigung, dass der Antrag rechtzeitig gestellt wurde.',
    answer: {
      verdict: 'noted',
      department: 'buergeramt',
      internalNote: 'Nicht veröffentlicht (Name und Durchwahl einer Mitarbeiterin), Inhalt für die Abwägung erhalten.',
      text:
        'Der Hinweis wird zur Kenntnis genommen und an das Bürgeramt weitergegeben. Wer die Verlängerung eines Aufenthaltstitels vor dessen Ablauf beantragt, erhält eine Fiktionsbescheinigung; der Antrag kann auch schriftlich oder per E-Mail gestellt werden. Eine Online-Terminvergabe wird im Rahmen der Digitalisierung des Bürgeramtes geprüft.',
    },
  },
  {
    ref: 'daz-container',
    kind: 'comment',
    at: '2021-11-08T14:58:00Z',
    language: 'de',
    target: measure('m-schule-daz-raumbedarf'),
    author: { type: 'guest', email: 'lehrerin.gs.nord@example.org' },
    body: 'Die DaZ-Klassen an unserer Grundschule sitzen seit zwei Jahren in einem Container auf dem Schulhof. Raum allein reicht aber nicht, es braucht vor allem mehr Lehrkräfte für Deutsch als Zweitsprache.',
    answer: {
      verdict: 'out_of_scope',
      department: 'amt-fuer-schulen',
      text:
        'Die Anregung betrifft insoweit nicht den Gegenstand des Verfahrens, als sie die Lehrkräfte anspricht: Für die Einstellung von Lehrkräften für Deutsch als Zweitsprache ist der Freistaat Sachsen (Landesamt für Schule und Bildung) zuständig, nicht die Landeshauptstadt Dresden als Schulträgerin. Der Hinweis wird an das Landesamt weitergeleitet; der Raumbedarf ist mit Maßnahme 3.1.2 in der Schulnetzplanung erfasst.',
    },
  },
  {
    ref: 'monitoring',
    kind: 'comment',
    at: '2021-11-10T10:40:00Z',
    language: 'de',
    target: measure('m-wohnen-monitoring'),
    author: { type: 'guest', email: 'quartiersmanagement@example.org' },
    tags: ['Wohnen'],
    body: 'Das Monitoring sollte öffentlich sein, sonst erfährt niemand, wie sich die Stadtteile entwickeln.',
    answer: {
      verdict: 'partly_accepted',
      department: 'amt-fuer-stadtplanung-und-mobilitaet',
      text:
        'Die Anregung wird teilweise berücksichtigt. Die integrationsrelevanten Indikatoren werden im jährlichen Monitoringbericht zur Stadtentwicklung veröffentlicht; kleinräumige Daten werden aus Gründen des Datenschutzes nur zusammengefasst dargestellt.',
    },
  },
  {
    ref: 'praevention',
    kind: 'comment',
    at: '2021-11-15T18:12:00Z',
    language: 'de',
    target: measure('m-gesundheit-praevention'),
    author: { type: 'guest', email: 'stadtteilmutter@example.org' },
    body: 'Die Informationen des Gesundheitsamtes sollten auch als kurze Sprachnachrichten oder Videos über Messenger verbreitet werden. Viele Familien lesen keine Flyer, aber sie hören sich eine Sprachnachricht an.',
    answer: {
      verdict: 'accepted',
      department: 'gesundheitsamt',
      text:
        'Die Anregung wird berücksichtigt. Das Gesundheitsamt bereitet die mehrsprachigen Informationen nach Maßnahme 7.1.2 gemeinsam mit den Multiplikator*innen auch als kurze Audio- und Videobeiträge auf, die über die Netzwerke der Migrantenorganisationen weitergegeben werden können.',
    },
  },
  {
    ref: 'oepnv',
    kind: 'comment',
    at: '2021-11-19T07:33:00Z',
    language: 'de',
    target: field('f-soziales'),
    author: { type: 'guest', email: 'p.weber@example.org' },
    body: 'Geflüchtete sollten Bus und Bahn in Dresden kostenlos nutzen dürfen, damit sie zu Sprachkursen und Ämtern kommen.',
    answer: {
      verdict: 'not_accepted',
      text:
        'Die Anregung wird nicht berücksichtigt. Ein kostenfreier Nahverkehr für einzelne Personengruppen ist im Rahmen des Aktionsplans nicht finanzierbar. Personen mit geringem Einkommen, auch Geflüchtete im Leistungsbezug, erhalten mit dem Dresden-Pass ermäßigte Monatskarten im Nahverkehr; Fahrtkosten zu Integrationskursen werden unter bestimmten Voraussetzungen vom Bundesamt für Migration und Flüchtlinge erstattet.',
    },
  },
  {
    ref: 'beteiligung-dank',
    kind: 'comment',
    at: '2021-11-22T11:18:00Z',
    language: 'de',
    target: measure('m-partizipation-buergerbeteiligung'),
    author: { type: 'guest', email: 'nachbarschaftshilfe@example.org' },
    body: 'Danke, dass diese Beteiligung online und in mehreren Sprachen möglich ist. Bitte machen Sie das bei allen Bürgerbeteiligungen so.',
    answer: {
      verdict: 'already_covered',
      text: 'Die Anregung ist bereits berücksichtigt: Maßnahme 10.1.2 sieht mehrsprachige Einladungen und Dolmetschangebote bei allen Bürgerbeteiligungsverfahren der Stadtverwaltung vor.',
    },
  },
  {
    ref: 'asylverfahren',
    kind: 'comment',
    at: '2021-11-25T16:45:00Z',
    language: 'de',
    target: wholePlan,
    author: { type: 'guest', email: 'r.schneider@example.org' },
    body: 'Die Stadt sollte sich dafür einsetzen, dass Asylverfahren schneller entschieden werden. Die lange Unsicherheit verhindert jede Integration.',
    answer: {
      verdict: 'out_of_scope',
      text:
        'Die Anregung betrifft nicht den Gegenstand des Verfahrens. Über Asylanträge entscheidet das Bundesamt für Migration und Flüchtlinge; die Landeshauptstadt Dresden hat auf die Dauer der Verfahren keinen Einfluss. Der Aktionsplan setzt bei den kommunalen Angeboten an, die unabhängig vom Stand des Asylverfahrens genutzt werden können.',
    },
  },

  // Written statements ------------------------------------------------------------------------
  {
    ref: 'st-elternnetzwerk',
    kind: 'statement',
    at: '2021-10-14T08:00:00Z',
    language: 'de',
    title: 'Stellungnahme zur Kita-Anmeldung für zugewanderte Familien',
    refs: [measure('m-kita-kooperationsmodell')],
    author: { type: 'staff', channel: 'letter', name: 'Aylin D., Sprecherin des Elternnetzwerks', details: 'Brief vom 12.10.2021; Beispielweg 5, 01069 Dresden', email: 'elternnetzwerk@example.org' },
    organisation: 1,
    publishName: true,
    tags: ['Kita', 'Sprache'],
    body:
      'Eltern in unserem Netzwerk berichten immer wieder, dass die Anmeldung über das Elternportal nur auf Deutsch möglich ist und dass sie die Fristen für die Platzvergabe nicht kennen. Wer erst nach dem Umzug aus einer Unterkunft von der Anmeldung erfährt, wartet oft ein Jahr länger.\n\nWir bitten darum, das Elternportal mindestens auf Englisch, Arabisch und Ukrainisch anzubieten und an den Begegnungsorten regelmäßige Sprechstunden zur Kita-Anmeldung mit Sprachmittlung einzurichten. Gern wirken wir daran mit.',
    answer: {
      verdict: 'partly_accepted',
      department: 'amt-fuer-kindertagesbetreuung',
      text:
        'Die Anregung wird teilweise berücksichtigt. Sprechstunden zur Kita-Anmeldung mit Sprachmittlung werden im Kooperationsmodell nach Maßnahme 2.1.2 an den Begegnungsorten eingerichtet; das Angebot des Elternnetzwerks zur Mitwirkung wird gern angenommen. Eine mehrsprachige Fassung des Elternportals kann erst mit dessen technischer Erneuerung umgesetzt werden; bis dahin werden mehrsprachige Ausfüllhilfen bereitgestellt.',
    },
  },
  {
    ref: 'st-olena',
    kind: 'statement',
    at: '2021-10-21T17:38:00Z',
    language: 'uk',
    title: 'Інформація для батьків про шкільну систему',
    refs: [measure('m-schule-elterninformation')],
    author: { type: 'guest', email: 'olena.k@example.org', name: 'Olena K.' },
    tags: ['Sprache'],
    body:
      'Мій син цього року пішов до п’ятого класу в Дрездені. Я досі не розумію, як працює система оцінок і що означає рекомендація після четвертого класу. Листи зі школи приходять лише німецькою мовою.\n\nПрошу, щоб важливі листи для батьків і пояснення шкільної системи були доступні українською, а на батьківських зборах був перекладач.',
    translation:
      'Mein Sohn ist in diesem Jahr in Dresden in die fünfte Klasse gekommen. Ich verstehe bis heute nicht, wie das Notensystem funktioniert und was die Bildungsempfehlung nach der vierten Klasse bedeutet. Briefe der Schule kommen nur auf Deutsch.\n\nIch bitte darum, dass wichtige Elternbriefe und Erklärungen zum Schulsystem auf Ukrainisch verfügbar sind und dass bei Elternabenden eine Dolmetscherin anwesend ist.',
    answer: {
      verdict: 'partly_accepted',
      department: 'amt-fuer-schulen',
      text:
        'Die Anregung wird teilweise berücksichtigt. Die mehrsprachigen Informationen zum sächsischen Schulsystem nach Maßnahme 3.1.1 werden auch auf Ukrainisch erstellt. Elternbriefe und Elternabende liegen in der Verantwortung der einzelnen Schulen; das Amt für Schulen weist die Schulen darauf hin, dass sie für Elternabende den Gemeindedolmetscherdienst anfordern können.',
    },
  },
  {
    ref: 'st-auslaenderrat',
    kind: 'statement',
    at: '2021-10-29T10:21:00Z',
    language: 'de',
    title: 'Stellungnahme des Ausländerrat Beispielstadt e. V. zum Entwurf des Aktionsplans Integration',
    refs: SECTIONS.map((s) => s.target),
    author: { type: 'representative' },
    organisation: 0,
    publishName: true,
    tags: ['Sprache', 'Verwaltung'],
    body: SECTIONED_STATEMENT_BODY,
  },
  {
    ref: 'st-gemeindezentrum',
    kind: 'statement',
    at: '2021-11-02T08:00:00Z',
    language: 'de',
    title: 'Mindeststandards in Gemeinschaftsunterkünften',
    refs: [measure('m-soziales-unterbringung')],
    author: { type: 'staff', channel: 'email', name: 'Karim B. für das Interkulturelle Gemeindezentrum', details: 'E-Mail vom 01.11.2021', email: 'gemeindezentrum@example.org' },
    organisation: 2,
    publishName: false,
    tags: ['Wohnen'],
    body:
      'Wir begleiten viele Familien, die seit Jahren in Gemeinschaftsunterkünften leben. Bei der Fortschreibung des Unterbringungskonzeptes bitten wir darum, abschließbare Wohneinheiten für Familien, ruhige Lernräume für Schulkinder und feste Sprechzeiten der Sozialarbeit in allen Unterkünften als Mindeststandard festzulegen.',
    answer: {
      verdict: 'accepted',
      department: 'sozialamt',
      secondApproval: true,
      text:
        'Die Anregung wird berücksichtigt. Die Fortschreibung des Konzeptes zur Unterbringung und sozialen Betreuung von Geflüchteten nach Maßnahme 8.1.2 wird Mindeststandards für abgeschlossene Wohneinheiten für Familien, Lernräume für Schulkinder und regelmäßige Sprechzeiten der sozialen Betreuung enthalten. Der Integrations- und Ausländerbeirat wird an der Erarbeitung beteiligt.',
    },
  },
  {
    ref: 'st-gerda',
    kind: 'statement',
    at: '2021-11-05T08:00:00Z',
    language: 'de',
    title: 'Zuschrift zum Aktionsplan',
    refs: [],
    sortedTo: measure('m-zusammenleben-interkulturelle-tage'),
    author: { type: 'staff', channel: 'letter', name: 'Gerda H.', details: 'Brief vom 03.11.2021; Beispielgasse 7, 01237 Dresden (kein Telefon, keine E-Mail)' },
    body:
      'Ich bin 78 Jahre alt und habe keinen Computer. Vom Aktionsplan habe ich in der Zeitung gelesen. Ich finde es richtig, dass man den Menschen hilft, die zu uns kommen. Es sollte aber auch an die älteren Dresdner gedacht werden, die sich in ihrem Stadtteil nicht mehr zurechtfinden.\n\nBegegnung zwischen Alt und Jung, zwischen Alteingesessenen und Zugezogenen, das wäre mein Wunsch. In unserem Seniorentreff wären alle willkommen.',
    answer: {
      verdict: 'noted',
      text:
        'Die Zuschrift wird dankend zur Kenntnis genommen. Der Wunsch nach Begegnung zwischen alteingesessenen und zugewanderten Dresdner*innen, auch zwischen den Generationen, wird mit Maßnahme 11.2.1 aufgegriffen. Das Büro der Integrations- und Ausländerbeauftragten wird die Träger von Begegnungsprojekten auf Seniorentreffs als Partner hinweisen.',
      internalNote: 'Antwort per Post, da keine E-Mail-Adresse angegeben.',
    },
  },
  {
    ref: 'st-mira',
    kind: 'statement',
    at: '2021-11-12T20:16:00Z',
    language: 'de',
    title: 'Frühere Beteiligung des Integrations- und Ausländerbeirates',
    refs: [measure('m-partizipation-beirat')],
    author: { type: 'participant' },
    body:
      'Der Integrations- und Ausländerbeirat wird bisher oft erst beteiligt, wenn eine Vorlage schon fertig ist. Ich schlage vor, dass der Beirat mindestens vier Wochen vor der Befassung der Ausschüsse informiert wird und dass seine Stellungnahme der Vorlage beigefügt wird, damit die Stadträtinnen und Stadträte sie kennen.',
    answer: {
      verdict: 'already_covered',
      department: INTEGRATION,
      text:
        'Die Anregung ist bereits berücksichtigt. Maßnahme 10.1.1 sieht die frühzeitige Beteiligung des Integrations- und Ausländerbeirates an allen integrationsrelevanten Vorlagen der Stadtverwaltung vor; dazu gehört, dass seine Stellungnahmen den Vorlagen für die Ausschüsse beigefügt werden.',
    },
  },
  {
    ref: 'st-ahmad',
    kind: 'statement',
    at: '2021-11-16T12:51:00Z',
    language: 'ar',
    title: 'الاعتراف بالشهادات والتأهيل المهني',
    refs: [measure('m-arbeit-anerkennung')],
    author: { type: 'guest', email: 'ahmad.s@example.org', name: 'Ahmad S.' },
    body:
      'أنا مهندس كهرباء من سوريا وأعيش في دريسدن منذ ثلاث سنوات. تم الاعتراف بشهادتي جزئياً فقط، ولا أعرف أين يمكنني الحصول على الدورات التكميلية المطلوبة.\n\nأقترح أن يقدم مركز الترحيب استشارة شخصية باللغة العربية حول الاعتراف بالشهادات وإمكانيات التأهيل، وأن يتعاون مع الشركات في دريسدن لتوفير أماكن للتدريب العملي.',
    translation:
      'Ich bin Elektroingenieur aus Syrien und lebe seit drei Jahren in Dresden. Mein Abschluss wurde nur teilweise anerkannt, und ich weiß nicht, wo ich die geforderten Anpassungsqualifizierungen bekommen kann.\n\nIch schlage vor, dass das Welcome Center eine persönliche Beratung auf Arabisch zur Anerkennung von Abschlüssen und zu Qualifizierungsmöglichkeiten anbietet und mit Dresdner Unternehmen zusammenarbeitet, um Praktikumsplätze bereitzustellen.',
    answer: {
      verdict: 'partly_accepted',
      department: 'buergeramt',
      text:
        'Die Anregung wird teilweise berücksichtigt. Das Dresden Welcome Center berät nach Maßnahme 5.1.1 zu Anerkennung und Anpassungsqualifizierung und vermittelt an die Anerkennungsberatungsstellen, die auch Beratung auf Arabisch anbieten. Die Vermittlung von Praktikumsplätzen ist Aufgabe der Agentur für Arbeit und der Kammern; das Amt für Wirtschaftsförderung nimmt das Thema in die Informationsveranstaltungen für Unternehmen nach Maßnahme 5.1.2 auf.',
    },
  },
  {
    ref: 'st-pflege',
    kind: 'statement',
    at: '2021-11-26T08:00:00Z',
    language: 'de',
    title: 'Pflegeberatung für ältere Zugewanderte',
    refs: [measure('m-gesundheit-pflegeberatung')],
    author: { type: 'staff', channel: 'email', name: 'Petra L., Migrationsberatung für Erwachsene (Beispielträger)', details: 'E-Mail vom 25.11.2021', email: 'migrationsberatung@example.org' },
    body:
      'Ältere Zugewanderte, insbesondere Spätaussiedler*innen und jüdische Kontingentflüchtlinge aus der ehemaligen Sowjetunion, werden von der Pflegeberatung kaum erreicht. Wir empfehlen, russischsprachige Pflegelots*innen gezielt über die Gemeinden und die Vereine der Spätaussiedler*innen zu gewinnen und Informationsveranstaltungen in den Begegnungsstätten anzubieten.',
    answer: {
      verdict: 'accepted',
      department: 'sozialamt',
      text:
        'Die Anregung wird berücksichtigt. Bei der Gewinnung ehrenamtlicher Pflegelots*innen nach Maßnahme 7.1.1 spricht das Sozialamt gezielt russischsprachige Gemeinden und Vereine an; Informationsveranstaltungen zur Pflegeberatung werden in Begegnungsstätten angeboten.',
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

const ROUND = {
  title: 'Ämterabfrage Entwurf 1',
  instructions:
    'Bitte prüfen Sie die Ihrem Amt zugeordneten Beiträge zum Entwurf 1 und formulieren Sie je Beitrag eine Abwägungsempfehlung mit Votum. Beiträge, für die Sie nicht zuständig sind, geben Sie bitte mit einem kurzen Hinweis an das zuständige Amt weiter.',
  createdAt: '2021-12-01T08:00:00Z',
  deadline: '2021-12-15T22:59:59Z',
  closedAt: '2021-12-16T09:00:00Z',
};
const SORTED_AT = '2021-11-30T15:00:00Z';
const PUBLISHED_AT = '2022-01-07T09:00:00Z';

const t = (iso: string) => new Date(iso);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

/** Email addresses of the demo accounts this needs (see load.ts). */
const ACCOUNT_EMAILS = {
  participant: 'teilnehmerin@example.org',
  representative: 'verein@example.org',
  moderator: 'moderation@example.org',
  organiser: 'beteiligung@example.org',
  editor: 'jugendamt@example.org',
  admin: 'admin@example.org',
};

/** How many contributions, units and so on the demo round holds (for the README and tests). */
export const demoConsolidationCounts = {
  contributions: specs.length,
  statements: specs.filter((s) => s.kind === 'statement').length,
  groupMembers: GROUP.members.length,
  sections: SECTIONS.length,
};

/**
 * Fills the demo consultation with its complete Abwägung. Skips when the consultation is missing
 * or already has contributions, so loading twice changes nothing. Needs the demo accounts and
 * organisations (load.ts writes them first, in the same transaction).
 */
export async function loadDemoConsolidation(tx: DbOrTx): Promise<boolean> {
  const [consultation] = await tx.select().from(consultations).where(eq(consultations.slug, demoConsultation.slug));
  if (!consultation) return false;
  const [existing] = await tx.select({ n: count() }).from(contributions).where(eq(contributions.consultationId, consultation.id));
  if ((existing?.n ?? 0) > 0) return false;

  const [phase] = await tx.select({ id: phases.id }).from(phases).where(and(eq(phases.consultationId, consultation.id), eq(phases.kind, 'draft_review')));
  const versions = await tx.select({ id: planVersions.id, label: planVersions.label }).from(planVersions).where(eq(planVersions.consultationId, consultation.id));
  const draft1 = versions.find((v) => v.label === 'Entwurf 1');
  const draft2 = versions.find((v) => v.label === 'Entwurf 2');
  if (!phase || !draft1 || !draft2) throw new Error('demo consultation lacks its draft review phase or versions');

  const accountRows = await tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, Object.values(ACCOUNT_EMAILS)));
  const account = (email: string): string => {
    const row = accountRows.find((r) => r.email === email);
    if (!row) throw new Error(`demo account ${email} missing`);
    return row.id;
  };
  const participant = account(ACCOUNT_EMAILS.participant);
  const representative = account(ACCOUNT_EMAILS.representative);
  const moderator = account(ACCOUNT_EMAILS.moderator);
  const organiser = account(ACCOUNT_EMAILS.organiser);
  const editor = account(ACCOUNT_EMAILS.editor);
  const admin = account(ACCOUNT_EMAILS.admin);

  const orgRows = await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.name, demoOrganisations.map((o) => o.name)));
  const organisationId = (index: number): number => {
    const row = orgRows.find((o) => o.name === demoOrganisations[index]?.name);
    if (!row) throw new Error(`demo organisation ${index} missing`);
    return row.id;
  };
  const departmentRows = await tx.select({ id: departments.id, slug: departments.slug }).from(departments);
  const departmentId = (slug: string): number => {
    const row = departmentRows.find((d) => d.slug === slug);
    if (!row) throw new Error(`demo department ${slug} missing`);
    return row.id;
  };

  // Contributions, in the order they arrived; receipt numbers for statements and staff entries.
  const ordered = [...specs].sort((a, b) => a.at.localeCompare(b.at));
  const ids = new Map<string, number>();
  let receipts = 0;
  for (const s of ordered) {
    const receivedAt = t(s.at);
    const staff = s.author.type === 'staff' ? s.author : null;
    const guest = s.author.type === 'guest' ? s.author : null;
    const authorId = s.author.type === 'participant' ? participant : s.author.type === 'representative' ? representative : null;
    // Staff entries are typed in the next working day and published at once; online ones wait
    // for the moderators (the draft review ran with pre-moderation).
    const createdAt = staff ? plus(receivedAt, 24 * 60 + 60) : receivedAt;
    const moderatedAt = staff ? null : plus(receivedAt, 18 * 60 + 7);
    const receiptNumber = s.kind === 'statement' || staff ? `${consultation.receiptPrefix}-2021-${String(++receipts).padStart(4, '0')}` : null;
    const target = s.kind === 'comment' ? (s.target ?? wholePlan) : wholePlan;
    const parentId = s.parent ? ids.get(s.parent) : undefined;
    if (s.parent && parentId === undefined) throw new Error(`reply ${s.ref} before its parent`);
    const [row] = await tx
      .insert(contributions)
      .values({
        consultationId: consultation.id,
        phaseId: phase.id,
        kind: s.kind,
        targetKind: target.kind,
        targetKey: target.key,
        planVersionId: draft1.id,
        parentId: parentId ?? null,
        title: s.title ?? null,
        body: s.body,
        language: s.language,
        pageLocale: s.language === 'de' ? 'de' : 'en',
        authorId,
        guestEmail: guest?.email ?? staff?.email ?? null,
        submitterName: guest?.name ?? staff?.name ?? null,
        submitterDetails: staff?.details ?? null,
        organisationId: s.organisation === undefined ? null : organisationId(s.organisation),
        status: s.rejected ? 'rejected' : 'published',
        statusReason: s.rejected ?? null,
        keepForConsolidation: s.rejected !== undefined,
        channel: staff ? staff.channel : 'online',
        receivedAt,
        receiptNumber,
        consentPrivacyAt: staff ? null : receivedAt,
        publishText: true,
        publishName: s.publishName ?? false,
        moderatedBy: staff ? null : moderator,
        moderatedAt,
        moderationVersion: staff ? 0 : 1,
        enteredBy: staff ? organiser : null,
        createdAt,
        confirmedAt: guest ? plus(receivedAt, 4) : createdAt,
        publishedAt: s.rejected ? null : (moderatedAt ?? createdAt),
      })
      .returning({ id: contributions.id });
    if (!row) throw new Error('contribution insert returned nothing');
    ids.set(s.ref, row.id);
    if (s.kind === 'statement' && s.refs?.length) {
      await tx.insert(contributionReferences).values(s.refs.map((r) => ({ contributionId: row.id, targetKind: r.kind, targetKey: r.key ?? '' })));
    }
  }
  await tx
    .insert(receiptCounters)
    .values({ consultationId: consultation.id, year: 2021, last: receipts })
    .onConflictDoUpdate({ target: [receiptCounters.consultationId, receiptCounters.year], set: { last: receipts } });
  const idOf = (ref: string): number => {
    const id = ids.get(ref);
    if (id === undefined) throw new Error(`unknown contribution ${ref}`);
    return id;
  };

  // Sorting: tags, the campaign group, the sections of the long statement.
  const sortedAt = t(SORTED_AT);
  const tagRows = await tx
    .insert(tags)
    .values(TAG_LABELS.map((label) => ({ consultationId: consultation.id, label, createdAt: sortedAt })))
    .returning({ id: tags.id, label: tags.label });
  const tagId = new Map(tagRows.map((r) => [r.label, r.id]));
  const tagLinks = specs.flatMap((s) => (s.tags ?? []).map((label) => ({ contributionId: idOf(s.ref), tagId: tagId.get(label) ?? 0 })));
  await tx.insert(contributionTags).values(tagLinks);

  const leadRef = GROUP.members[0] ?? '';
  const [group] = await tx
    .insert(contributionGroups)
    .values({ consultationId: consultation.id, title: GROUP.title, leadContributionId: idOf(leadRef), createdBy: organiser, createdAt: sortedAt })
    .returning({ id: contributionGroups.id });
  if (!group) throw new Error('group insert returned nothing');
  await tx.insert(contributionGroupMembers).values(GROUP.members.map((ref) => ({ contributionId: idOf(ref), groupId: group.id, addedAt: sortedAt })));

  const statementId = idOf('st-auslaenderrat');
  const sectionRows = await tx
    .insert(contributionSections)
    .values(SECTIONS.map((s, position) => ({ contributionId: statementId, position, body: s.body, createdBy: organiser, createdAt: sortedAt })))
    .returning({ id: contributionSections.id, position: contributionSections.position });

  // Units of the Abwägung: every contribution's own unit (superseded for the group's members and
  // the sectioned statement), then the sections' and the group's.
  interface Unit {
    values: typeof responses.$inferInsert;
    answer: Answer | null;
  }
  const units: Unit[] = [];
  const superseded = new Set([...GROUP.members, 'st-auslaenderrat']);
  const ownTarget = (s: ContributionSpec): Target => {
    if (s.sortedTo) return s.sortedTo;
    if (s.kind === 'comment') return s.target ?? wholePlan;
    return s.refs?.length === 1 && s.refs[0] ? s.refs[0] : wholePlan;
  };
  for (const s of ordered) {
    const target = ownTarget(s);
    const isSuperseded = superseded.has(s.ref);
    if (!isSuperseded && !s.answer) throw new Error(`demo contribution ${s.ref} has no answer`);
    units.push({
      values: { consultationId: consultation.id, contributionId: idOf(s.ref), targetKind: target.kind, targetKey: target.key, superseded: isSuperseded, translation: s.translation ?? null },
      answer: isSuperseded ? null : (s.answer ?? null),
    });
  }
  for (const [i, s] of SECTIONS.entries()) {
    const section = sectionRows.find((r) => r.position === i);
    if (!section) throw new Error('section insert returned nothing');
    units.push({
      values: { consultationId: consultation.id, contributionId: statementId, sectionId: section.id, targetKind: s.target.kind, targetKey: s.target.key },
      answer: s.answer,
    });
  }
  units.push({
    values: { consultationId: consultation.id, contributionId: idOf(leadRef), groupId: group.id, targetKind: GROUP.target.kind, targetKey: GROUP.target.key },
    answer: GROUP.answer,
  });

  // Who can be told about the answer (an account or an address): their unit is marked notified.
  const reachable = new Set(specs.filter((s) => s.author.type !== 'staff' || s.author.email).map((s) => idOf(s.ref)));
  const publishedAt = t(PUBLISHED_AT);
  let decided = 0;
  const responseRows: Array<{ id: number; answer: Answer }> = [];
  for (const unit of units) {
    const a = unit.answer;
    if (!a) {
      await tx.insert(responses).values({ ...unit.values, createdAt: sortedAt, updatedAt: sortedAt });
      continue;
    }
    // Decided one after another between 17 December and 5 January, approved the next morning.
    const decidedAt = plus(t('2021-12-17T08:30:00Z'), decided++ * 7 * 60);
    const approvedAt = plus(decidedAt, a.secondApproval ? 22 * 60 : 0);
    const [row] = await tx
      .insert(responses)
      .values({
        ...unit.values,
        status: 'approved',
        answer: a.text,
        verdict: a.verdict,
        internalNote: a.internalNote ?? '',
        changeVersionId: a.change ? (a.change.key ? draft2.id : null) : null,
        changeTargetKind: a.change?.key ? 'measure' : null,
        changeTargetKey: a.change?.key ?? null,
        changeNote: a.change?.note ?? '',
        decidedBy: organiser,
        decidedAt,
        approvedBy: a.secondApproval ? admin : organiser,
        approvedAt,
        notifiedAt: reachable.has(unit.values.contributionId) ? plus(publishedAt, 5) : null,
        version: a.department ? 3 : 2,
        createdAt: sortedAt,
        updatedAt: approvedAt,
      })
      .returning({ id: responses.id });
    if (!row) throw new Error('response insert returned nothing');
    responseRows.push({ id: row.id, answer: a });
  }

  // The department round on Entwurf 1: each unit with a department was drafted there.
  const [round] = await tx
    .insert(departmentRounds)
    .values({
      consultationId: consultation.id,
      title: ROUND.title,
      instructions: ROUND.instructions,
      deadline: t(ROUND.deadline),
      remindDaysBefore: 3,
      reminderSentAt: t('2021-12-12T07:00:00Z'),
      status: 'closed',
      openedBy: organiser,
      createdAt: t(ROUND.createdAt),
      closedAt: t(ROUND.closedAt),
    })
    .returning({ id: departmentRounds.id });
  if (!round) throw new Error('round insert returned nothing');
  const assignedAt = t('2021-12-01T09:00:00Z');
  let drafted = 0;
  for (const { id: responseId, answer: a } of responseRows) {
    if (!a.department) continue;
    let handedOverFrom: number | null = null;
    let note = '';
    if (a.handedOverFrom) {
      const [first] = await tx
        .insert(assignments)
        .values({
          roundId: round.id,
          responseId,
          departmentId: departmentId(a.handedOverFrom.department),
          status: 'handed_over',
          note: a.handedOverFrom.note,
          assignedBy: organiser,
          assignedAt,
          version: 1,
        })
        .returning({ id: assignments.id });
      if (!first) throw new Error('assignment insert returned nothing');
      handedOverFrom = first.id;
      note = a.handedOverFrom.note;
    }
    await tx.insert(assignments).values({
      roundId: round.id,
      responseId,
      departmentId: departmentId(a.department),
      status: 'drafted',
      note,
      handedOverFrom,
      draftAnswer: a.draft?.text ?? a.text,
      proposedVerdict: a.draft?.verdict ?? a.verdict,
      // Only the Jugendamt has a demo account; other departments' drafts came in by the office.
      draftedBy: a.department === 'jugendamt' ? editor : null,
      draftedAt: plus(t('2021-12-03T10:00:00Z'), drafted++ * 9 * 60),
      assignedBy: organiser,
      assignedAt: handedOverFrom ? t('2021-12-06T13:20:00Z') : assignedAt,
      version: 1,
    });
  }

  await tx
    .insert(consolidationSettings)
    .values({ consultationId: consultation.id, requireSecondApproval: false, answersPublishedAt: publishedAt, answersPublishedBy: organiser, updatedAt: publishedAt })
    .onConflictDoUpdate({ target: consolidationSettings.consultationId, set: { answersPublishedAt: publishedAt, answersPublishedBy: organiser, updatedAt: publishedAt } });

  // The Abwägungstabelle in all four formats, queued for the report worker.
  await tx.insert(committeeReports).values(
    reportFormats.map((format) => ({ consultationId: consultation.id, scope: 'consultation' as const, format, variant: 'anonymised' as const, draft: false, locale: 'de', status: 'queued' as const, createdBy: organiser })),
  );

  const audit = [
    { action: 'consolidation.round.opened', subjectType: 'department_round', subjectId: round.id, after: { title: ROUND.title, deadline: ROUND.deadline }, at: ROUND.createdAt },
    { action: 'consolidation.group.created', subjectType: 'contribution_group', subjectId: group.id, after: { title: GROUP.title, members: GROUP.members.length }, at: SORTED_AT },
    { action: 'consolidation.sections.created', subjectType: 'contribution', subjectId: statementId, after: { sections: SECTIONS.length }, at: SORTED_AT },
    { action: 'consolidation.round.closed', subjectType: 'department_round', subjectId: round.id, after: { status: 'closed' }, at: ROUND.closedAt },
    { action: 'consolidation.answers.published', subjectType: 'consultation', subjectId: consultation.id, after: { answers: responseRows.length }, at: PUBLISHED_AT },
  ];
  // Written directly (not through recordAudit) so each entry carries the day the step was taken.
  await tx.insert(auditEntries).values(
    audit.map((e) => ({ actorId: organiser, action: e.action, subjectType: e.subjectType, subjectId: String(e.subjectId), after: e.after, createdAt: t(e.at) })),
  );
  await announceChange(tx, CONTRIBUTIONS_TAG);
  return true;
}
