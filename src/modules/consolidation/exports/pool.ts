import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentPool, type Rendered } from '../../plans/documents/pool.js';
import type { RenderFormat, RenderInput } from './render-worker.js';

const here = fileURLToPath(import.meta.url);
// render-worker.js next to pool.js in the build, .ts when run from the sources (tsx, vitest).
const workerFile = path.join(path.dirname(here), `render-worker${path.extname(here)}`);

type Lane = DocumentPool<RenderFormat, RenderInput>;

/**
 * The render processes for committee exports: the plan documents' pool with the report worker.
 * Big tables take seconds and a few hundred MB in the child; it is replaced once it has grown
 * past 250 MB, so memory goes back to the system between exports and between the parts of a long
 * PDF. A long PDF is laid out in two lanes at once (the machine has two cores), each with a
 * spare process started ahead, so a part never waits for a process to start; a third process
 * joins the finished parts into the file meanwhile.
 */
export class ReportPool {
  /** The first lane renders every job; the second only parts of a long PDF. */
  readonly lanes: [Lane, Lane];
  /** Joins a long PDF's parts into one file while the lanes compile the later ones. */
  readonly joining: Lane;

  constructor() {
    const lane = () => new DocumentPool<RenderFormat, RenderInput>({ workerFile, maxQueue: 8, timeoutMs: 180_000, maxRssBytes: 250 * 1024 * 1024 });
    this.lanes = [lane(), lane()];
    this.joining = new DocumentPool<RenderFormat, RenderInput>({ workerFile, maxQueue: 64, timeoutMs: 180_000, maxRssBytes: 250 * 1024 * 1024 });
  }

  get pid(): number | undefined {
    return this.lanes[0].pid;
  }

  render(format: RenderFormat, model: RenderInput): Promise<Rendered> {
    return this.lanes[0].render(format, model);
  }

  warm(): void {
    this.lanes[0].warm();
  }

  async close(): Promise<void> {
    await Promise.all([...this.lanes, this.joining].map((l) => l.close()));
  }
}

export function reportPool(): ReportPool {
  return new ReportPool();
}
