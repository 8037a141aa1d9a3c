import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../core/context.js';

export function roundsRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
