/**
 * Money is an integer number of minor units (bigint) and an ISO 4217 currency. Never a float.
 */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

// Active ISO 4217 codes (list one, 2024). Most have 2 decimals; exceptions below.
const ISO_4217_CODES = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR
PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
ZMW ZWG`.split(/\s+/);

const MINOR_UNIT_EXCEPTIONS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const KNOWN = new Set(ISO_4217_CODES);

/** The largest amount Postgres bigint and protobuf int64 can hold. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

export function isKnownCurrency(code: string): boolean {
  return KNOWN.has(code);
}

/**
 * The currencies the platform takes, books and pays out: those its PSP settles in. Every other currency, ISO or
 * not, is refused at the door; amounts are never converted from one currency to another.
 */
export const SUPPORTED_CURRENCIES: readonly string[] = [
  "USD",
  "EUR",
  "GBP",
  "CHF",
  "CAD",
  "AUD",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "JPY",
  "KRW",
  "KWD",
  "BHD",
];

export function isSupportedCurrency(code: string): boolean {
  return SUPPORTED_CURRENCIES.includes(code);
}

/** Decimal places of the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD. */
export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_EXCEPTIONS[currency] ?? 2;
}

/** The amount in the currency's major units, exactly: 123456n USD -> "1234.56", -5n JPY -> "-5". */
export function formatDecimal({ amountMinor, currency }: Money): string {
  const digits = minorUnitDigits(currency);
  const negative = amountMinor < 0n;
  const abs = (negative ? -amountMinor : amountMinor).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** For people: 123456n USD -> "1234.56 USD". */
export function formatMoney(money: Money): string {
  return `${formatDecimal(money)} ${money.currency}`;
}

/**
 * What a person typed as an amount, in the currency's major units ("12.50" USD -> 1250n): digits, and at most as
 * many decimals as the currency has. Undefined for anything else (signs, exponents, separators, too many decimals).
 */
export function parseMoney(text: string, currency: string): Money | undefined {
  const digits = minorUnitDigits(currency);
  const m = /^(\d{1,18})(?:\.(\d+))?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && (digits === 0 || m[2].length > digits))) return undefined;
  const amountMinor = BigInt(m[1]!) * 10n ** BigInt(digits) + BigInt((m[2] ?? "").padEnd(digits, "0") || "0");
  return amountMinor > MAX_MINOR_UNITS ? undefined : { amountMinor, currency };
}
