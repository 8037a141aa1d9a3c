import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
import type { Messages } from '../../core/i18n.js';
import { messages as exportsMessages } from './exports/messages.js';
import { exportsRoutes } from './exports/routes.js';
import { messages as sharedMessages } from './messages.js';
import { messages as reviewMessages } from './review/messages.js';
import { reviewRoutes } from './review/routes.js';
import { messages as roundsMessages } from './rounds/messages.js';
import { roundsRoutes } from './rounds/routes.js';
import { messages as sortingMessages } from './sorting/messages.js';
import { sortingRoutes } from './sorting/routes.js';

/** The Abwägung: sorting, the department round, answers with Votum, committee exports. */
export function consolidationRoutes(app: FastifyInstance, ctx: AppContext): void {
  sortingRoutes(app, ctx);
  roundsRoutes(app, ctx);
  reviewRoutes(app, ctx);
  exportsRoutes(app, ctx);
}

export const consolidationMessages: Messages[] = [sharedMessages, sortingMessages, roundsMessages, reviewMessages, exportsMessages];
