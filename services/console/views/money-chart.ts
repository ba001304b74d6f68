import { formatMoney, minorUnitDigits } from "../../lib/money.js";

/**
 * Charts scale numbers, so amounts go in as the currency's major units (exact enough to draw); the tooltips say
 * the exact amount (formatMoney).
 */
export const majorUnits = (amountMinor: bigint, currency: string): number =>
  Number(amountMinor) / 10 ** minorUnitDigits(currency);

/** How a chart's axis writes an amount of the currency, in its own digits. */
export const moneyAxis =
  (currency: string) =>
  (value: number): string =>
    `${value.toLocaleString("en-US", { maximumFractionDigits: minorUnitDigits(currency) })} ${currency}`;

/** A chart series' values and tooltips from amounts in minor units. */
export const moneySeries = (amounts: readonly bigint[], currency: string) => ({
  values: amounts.map((a) => majorUnits(a, currency)),
  labels: amounts.map((a) => formatMoney({ amountMinor: a, currency })),
});
