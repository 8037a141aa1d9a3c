import type { FastifyReply } from 'fastify';
import { ValidationError } from './errors.js';

/**
 * Runs a service call for a form. Invalid input re-renders the form with 422, the messages and
 * everything the person typed (htmx swaps it in place; without JavaScript it is a normal page).
 */
export async function handleForm<T>(
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown>,
  action: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (error instanceof ValidationError) {
      await reply.page(template, { ...data, errors: error.fields }, 422);
      return { ok: false };
    }
    throw error;
  }
}
