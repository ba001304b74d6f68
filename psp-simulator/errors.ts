type ApiErrorType = "invalid_request_error" | "authentication_error" | "idempotency_error" | "api_error";

/** An error answered to the client as `{"error":{type,code,message,param}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return { error: { type: this.type, code: this.code, message: this.message, param: this.param } };
  }
}

export function invalidParam(param: string, message: string, code = "parameter_invalid"): ApiError {
  return new ApiError(400, "invalid_request_error", message, code, param);
}

export function resourceMissing(message: string, param: string): ApiError {
  return new ApiError(404, "invalid_request_error", message, "resource_missing", param);
}
