/**
 * API errors carry a stable code (clients match on it) and a message that says what to do. The error
 * handler in app.ts turns them into `{ code, message, statusCode }`.
 */
export type ApiErrorCode =
  | 'VIGIL_ERR_AUTH_REQUIRED'
  | 'VIGIL_ERR_AUTH_FAILED'
  | 'VIGIL_ERR_FORBIDDEN'
  | 'VIGIL_ERR_NOT_FOUND'
  | 'VIGIL_ERR_ALERT_STATE'
  | 'VIGIL_ERR_VALIDATION'
  | 'VIGIL_ERR_CURSOR'
  | 'VIGIL_ERR_RATE_LIMITED'
  | 'VIGIL_ERR_EVIDENCE_LINK'
  | 'VIGIL_ERR_CONFLICT'
  | 'VIGIL_ERR_INTERNAL';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  constructor(statusCode: number, code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

export const notFound = (what: string) => new ApiError(404, 'VIGIL_ERR_NOT_FOUND', `${what} was not found, or is outside your agency's scope.`);
