import type { PlanDocument, PlanMeasure } from '../plans/document.js';

/**
 * A plan of the size a real city plan reaches (default 11 fields × 6 goals × 5 measures), for
 * benchmarks and import tests. Texts are plausible German sentences of realistic length.
 */
export function generatePlan(fields = 11, goalsPerField = 6, measuresPerGoal = 5, departmentSlugs: string[] = [], committeeSlugs: string[] = []): PlanDocument {
  const pick = <T>(list: T[], i: number): T[] => (list.length ? [list[i % list.length] as T] : []);
  const measure = (code: string, i: number): PlanMeasure => ({
    key: `m-${code.replace(/\./g, '-')}`,
    code,
    text: `Maßnahme ${code}: Die zuständigen Ämter entwickeln gemeinsam mit Migrantenorganisationen ein mehrsprachiges Angebot, das Zugangshemmnisse abbaut, die Beteiligung von Zugewanderten stärkt und jährlich ausgewertet wird.`,
    timeframe: i % 2 ? '2022–2024' : '2023–2026',
    relatedPapers: i % 7 === 0 ? ['A0391/17'] : [],
    isExample: true,
    lead: pick(departmentSlugs, i),
    support: pick(departmentSlugs, i + 3).filter((s) => !pick(departmentSlugs, i).includes(s)),
    committees: pick(committeeSlugs, i),
  });
  let n = 0;
  return {
    principles: [
      { kind: 'guiding_principle', text: 'Die Stadt ist vielfältig und weltoffen (Beispiel).', source: null },
      { kind: 'strategic_goal', text: 'Gleichberechtigter Zugang zu allen kommunalen Angeboten (Beispiel).', source: null },
    ],
    crossCuttingMeasures: [measure('D.1', n++)],
    fields: Array.from({ length: fields }, (_, f) => ({
      key: `f-${f + 1}`,
      code: String(f + 1),
      title: `Handlungsfeld ${f + 1}`,
      description: 'Beispielhandlungsfeld für Last- und Importtests.',
      isExample: true,
      goals: Array.from({ length: goalsPerField }, (_, g) => ({
        key: `g-${f + 1}-${g + 1}`,
        code: `${f + 1}.${g + 1}`,
        text: `Ziel ${f + 1}.${g + 1}: Zugewanderte finden passende Angebote und werden an deren Weiterentwicklung beteiligt.`,
        isExample: true,
        measures: Array.from({ length: measuresPerGoal }, (_, m) => measure(`${f + 1}.${g + 1}.${m + 1}`, n++)),
      })),
    })),
  };
}
