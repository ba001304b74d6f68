import { Readable } from "node:stream";
import { notFound } from "../../../lib/errors.js";
import { SETTLEMENT_HEADER } from "../../domain/settlement-line.js";
import type { PaymentsPort, PspPort, SettlementFile, SettlementFiles } from "../ports.js";

/** A settlement file of these lines (the header first), in memory. */
export function settlementFile(
  lines: string[],
  options: { source?: string; cutAt?: Date } = {},
): SettlementFile & { released: number } {
  const text = `${[SETTLEMENT_HEADER, ...lines].join("\n")}\n`;
  return {
    source: options.source ?? "memory",
    cutAt: options.cutAt,
    released: 0,
    read: () => Readable.from([Buffer.from(text)]),
    async release() {
      this.released++;
    },
  };
}

/** The settlement directory in memory: files by name. */
export class InMemorySettlementFiles implements SettlementFiles {
  readonly files = new Map<string, SettlementFile>();

  async open(name: string): Promise<SettlementFile> {
    const file = this.files.get(name);
    if (file === undefined) throw notFound(`no settlement file ${name}`);
    return file;
  }
}

/** The PSP in memory: its settlement files by day, and its payments by id. */
export class FakePsp implements PspPort {
  readonly files = new Map<string, SettlementFile>();
  readonly payments = new Map<string, { status: string; reference: string }>();

  async settlementFile(date: string): Promise<SettlementFile> {
    const file = this.files.get(date);
    if (file === undefined) throw notFound(`the PSP has no settlement file for ${date} (yet)`);
    return file;
  }

  async payment(pspPaymentId: string): Promise<{ status: string; reference: string } | undefined> {
    return this.payments.get(pspPaymentId);
  }
}

/** The payment service in memory: RefreshPayment answers the status of the payments it knows. */
export class FakePayments implements PaymentsPort {
  readonly statuses = new Map<string, string>();
  readonly refreshed: string[] = [];

  async refreshPayment(paymentId: string): Promise<{ status: string } | undefined> {
    this.refreshed.push(paymentId);
    const status = this.statuses.get(paymentId);
    return status === undefined ? undefined : { status };
  }
}
