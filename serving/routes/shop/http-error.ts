// The shop answers with serving's one HttpError (rendered by serving/http-errors.ts errorMiddleware).
export { HttpError } from '../../http-errors.js';
