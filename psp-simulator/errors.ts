import { formatAmount } from "./currencies.js";

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

/** The request is valid but the object is not in a state that allows it. */
export function conflict(code: string, message: string): ApiError {
  return new ApiError(409, "invalid_request_error", message, code);
}

/** 400 `amount_too_large`; `available` is what the request could have asked for at most, `of` says of what. */
export function amountTooLarge(
  param: string,
  requested: number,
  available: number,
  currency: string,
  of: string,
): ApiError {
  return invalidParam(
    param,
    `Invalid ${param}: ${requested} is more than the ${available} (${formatAmount(available, currency)}) ${of}.`,
    "amount_too_large",
  );
}
