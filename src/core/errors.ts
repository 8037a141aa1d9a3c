/**
 * Typed domain errors: each carries the HTTP status and the message key shown to the person.
 * The single error handler in core/errors-plugin.ts turns them into pages or fragments.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(messageKey);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(messageKey = 'errors.notFound.text') {
    super(404, messageKey);
  }
}

export class ForbiddenError extends DomainError {
  constructor(messageKey = 'errors.forbidden.text') {
    super(403, messageKey);
  }
}

/** Field errors keyed by form field name; values are message keys. */
export type FieldErrors = Record<string, string>;

/** Parameters of a field's message; dates are formatted for the reader when the form renders. */
export type MessageParams = Record<string, string | number | Date>;

export class ValidationError extends DomainError {
  constructor(
    readonly fields: FieldErrors,
    /** Per field, the parameters its message names ("overlaps with the phase „Analyse“"). */
    readonly fieldParams: Record<string, MessageParams> = {},
  ) {
    super(422, 'errors.validation.summary');
  }
}

export class RateLimitedError extends DomainError {
  constructor() {
    super(429, 'errors.rateLimited.text');
  }
}
