/** An error the Data API itself returns (as opposed to a SQL error, which is a FAILED statement). */
export class ApiError extends Error {
  constructor(
    /** The `__type` of the JSON error body, e.g. ValidationException. */
    readonly type: string,
    readonly httpStatus: number,
    message: string,
    /** Members the model adds to this error, e.g. ResourceId. */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
  }
}

export const validationError = (message: string) => new ApiError('ValidationException', 400, message);

export const queryNotFound = (id: string) => new ApiError('ResourceNotFoundException', 404, 'Query does not exist.', { ResourceId: id });
