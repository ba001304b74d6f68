/**
 * RFC 4180 CSV for spreadsheets: every field quoted when it holds a comma, quote or line break, and a text
 * starting with = + - @ (or a tab or carriage return) prefixed with ' so that a spreadsheet shows it rather than
 * running it as a formula (CSV injection); a plain decimal number ("-5.00") stays a number.
 */
export function csv(rows: readonly (readonly (string | number | bigint)[])[]): string {
  return `${rows.map((row) => row.map(field).join(",")).join("\r\n")}\r\n`;
}

function field(value: string | number | bigint): string {
  if (typeof value !== "string") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
