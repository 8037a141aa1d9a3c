import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../core/context.js';
import type { Messages } from '../../core/i18n.js';
import { messages as commentMessages } from './comments/messages.js';
import { commentsRoutes } from './comments/routes.js';
import { messages as guestMessages } from './guests/messages.js';
import { guestsRoutes } from './guests/routes.js';
import { messages as sharedMessages } from './messages.js';
import { messages as mineMessages } from './mine/messages.js';
import { mineRoutes } from './mine/routes.js';
import { messages as opendataMessages } from './opendata/messages.js';
import { opendataRoutes } from './opendata/routes.js';
import { messages as organisationMessages } from './organisations/messages.js';
import { organisationsRoutes } from './organisations/routes.js';
import { messages as statementMessages } from './statements/messages.js';
import { statementsRoutes } from './statements/routes.js';

/** Taking part: comments, written statements, guests, organisations, "my contributions". */
export function participationRoutes(app: FastifyInstance, ctx: AppContext): void {
  commentsRoutes(app, ctx);
  statementsRoutes(app, ctx);
  guestsRoutes(app, ctx);
  organisationsRoutes(app, ctx);
  mineRoutes(app, ctx);
  opendataRoutes(app, ctx);
}

export const participationMessages: Messages[] = [sharedMessages, commentMessages, statementMessages, guestMessages, organisationMessages, mineMessages, opendataMessages];
