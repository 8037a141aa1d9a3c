/**
 * A second, invented demo consultation that is open now, so a fresh installation shows what
 * taking part looks like: the Aktionsplan's own phases lie in 2020–2022, as in the seed
 * documents, and stay there. Its dates are set relative to the moment the demo is loaded; its
 * plan is the Aktionsplan's "Entwurf 2", published as the draft under discussion.
 */
import { type DemoConsultation, type DemoPhase, demoConsultation } from './content.js';

const DAY = 86_400_000;

function at(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY).toISOString();
}

export function liveDemoConsultation(now = new Date()): DemoConsultation {
  const draft = demoConsultation.versions.find((v) => v.label === 'Entwurf 2') ?? demoConsultation.versions[0];
  if (!draft) throw new Error('demo plan missing');
  const phases: DemoPhase[] = [
    {
      kind: 'proposals',
      title: 'Vorschläge zur Fortschreibung (Beispiel)',
      description:
        'Beispielphase: Vereine, Migrantenorganisationen und Einwohner*innen haben Vorschläge gemacht, was sich an Zielen und Maßnahmen ändern soll. Diese Phase ist abgeschlossen.',
      opensAt: at(now, -90),
      closesAt: at(now, -31),
      channels: ['statement', 'event'],
      moderationMode: 'post',
    },
    {
      kind: 'draft_review',
      title: 'Online-Beteiligung zum Entwurf (Beispiel)',
      description:
        'Beispielphase: Kommentieren Sie Ziele und Maßnahmen des Entwurfs oder geben Sie eine schriftliche Stellungnahme ab – als Privatperson oder für Ihre Organisation, in Ihrer Sprache. Kommentare erscheinen sofort und werden nachträglich geprüft.',
      opensAt: at(now, -30),
      closesAt: at(now, 90),
      channels: ['comment', 'statement', 'event'],
      moderationMode: 'post',
    },
    {
      kind: 'decision',
      title: 'Beratung und Beschluss (Beispiel)',
      description: 'Beispielphase: Die Abwägung aller Beiträge geht mit dem überarbeiteten Entwurf in die Ausschüsse und den Stadtrat.',
      opensAt: at(now, 120),
      closesAt: at(now, 240),
      channels: [],
      moderationMode: 'post',
    },
  ];
  return {
    slug: 'aktionsplan-integration-fortschreibung-beispiel',
    title: 'Fortschreibung des Aktionsplans Integration (Beispiel)',
    summary:
      'Ein erfundenes Beispielverfahren, das gerade läuft: Es zeigt, wie die Beteiligung an einem Planentwurf aussieht. Inhalt ist der zweite Entwurf des Aktionsplans Integration 2022 bis 2026; Phasen, Termine und Beiträge sind Beispiele.',
    receiptPrefix: 'AIF',
    paperReference: '',
    relatedPapers: ['V1332/21'],
    contact: demoConsultation.contact,
    phases,
    versions: [{ ...draft, label: 'Entwurf', status: 'published' }],
  };
}
