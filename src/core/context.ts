import type { Config } from '../config.js';
import type { Db } from '../db/index.js';

/** What services need from the running app; built once in app.ts. */
export interface AppContext {
  db: Db;
  config: Config;
  /** Signs cookies and keys pseudonymised values (see settings/service.ts). */
  secret: string;
  /** Tells the outbox worker that mail was queued by a transaction that has committed. */
  mailQueued(): void;
}
