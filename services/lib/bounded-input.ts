import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { invalidArgument } from "./errors.js";

/** The longest string any request field may hold (free text: notes, reasons); ids are capped tighter by their rules. */
export const MAX_STRING_CHARS = 1_000;

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. PostgreSQL refuses NUL in text, logs and
// pages would carry the rest.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Every string in a request, at any depth, within MAX_STRING_CHARS and free of control characters: checked once
 * for all services before any handler sees the request, naming the field (`orders[1].seller_id`).
 */
export function boundedInput(maxChars = MAX_STRING_CHARS): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      checkMessage(req.method.input, req.message as Record<string, unknown>, "", maxChars);
      return next(req);
    }
    const { input } = req.method;
    const messages = req.message;
    async function* checked() {
      for await (const message of messages) {
        checkMessage(input, message as Record<string, unknown>, "", maxChars);
        yield message;
      }
    }
    return next({ ...req, message: checked() });
  };
}

function checkMessage(schema: DescMessage, message: Record<string, unknown>, prefix: string, maxChars: number): void {
  for (const field of schema.fields) {
    const value = fieldValue(field, message);
    if (value === undefined) continue;
    checkField(field, value, `${prefix}${field.name}`, maxChars);
  }
}

function fieldValue(field: DescField, message: Record<string, unknown>): unknown {
  if (!field.oneof) return message[field.localName];
  const chosen = message[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return chosen?.case === field.localName ? chosen.value : undefined;
}

function checkField(field: DescField, value: unknown, path: string, maxChars: number): void {
  switch (field.fieldKind) {
    case "scalar":
      if (field.scalar === ScalarType.STRING) checkString(value as string, path, maxChars);
      return;
    case "message":
      checkMessage(field.message, value as Record<string, unknown>, `${path}.`, maxChars);
      return;
    case "list":
      (value as unknown[]).forEach((item, i) => {
        if (field.listKind === "message")
          checkMessage(field.message, item as Record<string, unknown>, `${path}[${i}].`, maxChars);
        else if (field.scalar === ScalarType.STRING) checkString(item as string, `${path}[${i}]`, maxChars);
      });
      return;
    case "map":
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (field.mapKey === ScalarType.STRING) checkString(key, `${path} key`, maxChars);
        if (field.mapKind === "message")
          checkMessage(field.message, item as Record<string, unknown>, `${path}["${key.slice(0, 40)}"].`, maxChars);
        else if (field.scalar === ScalarType.STRING)
          checkString(item as string, `${path}["${key.slice(0, 40)}"]`, maxChars);
      }
      return;
    default:
      return;
  }
}

function checkString(value: string, path: string, maxChars: number): void {
  if (value.length > maxChars)
    throw invalidArgument(path, `is ${value.length} characters long; at most ${maxChars} are allowed`);
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw invalidArgument(path, `contains the control character U+${code} at position ${control.index}; remove it`);
  }
}
