// An HTTP error with a status and a stable code; the app's error middleware maps
// {status, code, message, details} to {error: {code, message, details?}}.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
