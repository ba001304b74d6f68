import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { StatsPeriod as ProtoPeriod, type GetPaymentStatsRequest } from "../../../gen/payment/v1/payment_pb.js";
import { invalidArgument } from "../../lib/errors.js";
import { statsBuckets, statsRange, type StatsPeriod } from "../domain/payment-stats.js";
import type { PaymentStore } from "../store/payment-store.js";

const MAX_PERIODS = 366;

function periodOf(period: ProtoPeriod): StatsPeriod {
  switch (period) {
    case ProtoPeriod.UNSPECIFIED:
    case ProtoPeriod.HOUR:
      return "hour";
    case ProtoPeriod.DAY:
      return "day";
    default:
      throw invalidArgument("period", `${period} is not a StatsPeriod`);
  }
}

/** GetPaymentStats: payments per period, for operators' charts. */
export function statsMethods(store: PaymentStore) {
  return {
    async getPaymentStats(req: GetPaymentStatsRequest) {
      const periods = req.periods === 0 ? 24 : req.periods;
      if (periods < 1 || periods > MAX_PERIODS)
        throw invalidArgument("periods", `must be 1..${MAX_PERIODS} (0 means 24), got ${req.periods}`);
      const until = req.until ? timestampDate(req.until) : new Date();
      if (Number.isNaN(until.getTime()) || until.getUTCFullYear() < 1970 || until.getUTCFullYear() > 9999) {
        throw invalidArgument("until", "must be a time between 1970 and 9999");
      }
      const range = statsRange(periodOf(req.period), periods, until);
      const buckets = statsBuckets(range, await store.statsByPeriod(range.period, range.from, range.to));
      return {
        buckets: buckets.map((b) => ({
          ...b,
          start: timestampFromDate(b.start),
          created: BigInt(b.created),
          succeeded: BigInt(b.succeeded),
          failed: BigInt(b.failed),
        })),
      };
    },
  };
}
