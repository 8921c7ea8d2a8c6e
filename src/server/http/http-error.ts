/**
 * How errors leave the API: every error answers with the ErrorBody shape
 * `{error: {code, message, hint?, field?}}` and a status derived from its EddyError code in one
 * place, so a route never picks a status by hand.
 *
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EddyError, type EddyErrorCode } from '../../errors/eddy-error.ts';
import type { ErrorBody } from '../../protocol/common.ts';

const STATUS: Partial<Record<EddyErrorCode, number>> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  OVERCOMMITTED: 409,
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 400,
  INVALID_ARTIFACT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

/** The HTTP status of an EddyError. */
export function statusOf(e: EddyError): number {
  return STATUS[e.code] ?? (e.domain === 'user' ? 400 : 500);
}

/** Fastify's error handler: EddyErrors, validation and body errors → 4xx with an ErrorBody. */
export function handleHttpError(
  e: FastifyError | EddyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (e instanceof EddyError) {
    // The message without its appended hint: the body carries the hint as its own field.
    const text = e.hint === undefined ? e.message : e.message.split('\n  hint:')[0]!;
    void reply.status(statusOf(e)).send(body(e.code, text, e.hint));
    return;
  }
  const fe = e as FastifyError;
  if (fe.validation !== undefined && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const params = v.params as Record<string, unknown>;
    const extra =
      typeof params['additionalProperty'] === 'string' ? params['additionalProperty'] : undefined;
    const missing =
      typeof params['missingProperty'] === 'string' ? params['missingProperty'] : undefined;
    const path = `${fe.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`;
    const field =
      extra !== undefined
        ? `${path}.${extra}`
        : missing !== undefined
          ? `${path}.${missing}`
          : path;
    const what =
      extra !== undefined
        ? `unknown field ${field}`
        : missing !== undefined
          ? `missing field ${field}`
          : `${field} ${v.message ?? 'is invalid'}`;
    void reply
      .status(400)
      .send(body('BAD_REQUEST', what, 'GET /v1/openapi.json describes every request', field));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.status(413).send(body('TOO_LARGE', 'the request body is too large'));
    return;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    void reply
      .status(fe.statusCode)
      .send(body(fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', fe.message));
    return;
  }
  request.log.error(e);
  void reply.status(500).send(body('INTERNAL', e.message));
}

/** An ErrorBody. */
export function body(code: string, message: string, hint?: string, field?: string): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(hint !== undefined && { hint }),
      ...(field !== undefined && { field }),
    },
  };
}
