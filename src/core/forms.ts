import type { FastifyReply } from 'fastify';
import { type MessageParams, ValidationError } from './errors.js';

// Building an Intl.DateTimeFormat costs far more than using one; keep one per language.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** Dates in messages are Europe/Berlin dates and times, whatever the server's time zone. */
export function formatDateTime(date: Date, locale: string): string {
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' });
    dateTimeFormats.set(locale, format);
  }
  return format.format(date);
}

export function localiseParams(params: Record<string, MessageParams>, locale: string): Record<string, Record<string, string | number>> {
  return Object.fromEntries(
    Object.entries(params).map(([field, p]) => [
      field,
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v instanceof Date ? formatDateTime(v, locale) : v])),
    ]),
  );
}

/**
 * Runs a service call for a form. Invalid input re-renders the form with 422, the messages (with
 * their parameters as `errorParams`) and everything the person typed (htmx swaps it in place;
 * without JavaScript it is a normal page).
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
      const errorParams = localiseParams(error.fieldParams, reply.request.locale);
      await reply.page(template, { ...data, errors: error.fields, errorParams }, 422);
      return { ok: false };
    }
    throw error;
  }
}
