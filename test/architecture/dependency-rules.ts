import type { Import } from "./imports.js";

/** What every service may import: the shared kernel and libraries, and the contracts between services. */
export const SHARED = ["services/lib/", "services/contracts/", "gen/"];

/** The shared kernel: services/lib modules that compute and do no I/O, so that a domain may use them. */
export const KERNEL = [
  "services/lib/errors.ts",
  "services/lib/invariant.ts",
  "services/lib/money.ts",
  "services/lib/validate.ts",
  "services/lib/utc-day.ts",
  "services/lib/ids.ts",
  "services/lib/embed-origins.ts",
  "services/lib/escape-html.ts",
  "services/lib/page-token.ts",
  "services/lib/tls/identity.ts",
  "services/lib/forecast/",
  "services/lib/testing.ts",
];
/** The contracts between services: the generated protobuf code and services/contracts. */
export const CONTRACTS = ["services/contracts/", "gen/"];
/** Node built-ins that compute (hashes, address parsing) and packages that are the contracts' runtime. */
export const PURE_PACKAGES = ["node:crypto", "node:net", "@bufbuild/protobuf"];
/** The RPC library, whose error type a view presents (what a person reads when a call failed). */
export const VIEW_PACKAGES = ["@connectrpc/connect"];
/** What a test may import besides. */
export const TEST_PACKAGES = ["vitest", "fast-check"];

/** Places end with "/" and hold what is under them; packages hold their subpaths ("@bufbuild/protobuf/wkt"). */
const matches = (path: string, places: string[]) =>
  places.some((place) =>
    place.endsWith("/") ? path.startsWith(place) : path === place || path.startsWith(`${place}/`),
  );
const isTest = (file: string) => file.endsWith(".test.ts");

/** "payment" for services/payment/app/x.ts; undefined for shared code (services/lib, services/contracts) and outside services/. */
export function serviceOf(path: string): string | undefined {
  const [top, name] = path.split("/");
  return top === "services" && name !== undefined && !matches(path, SHARED) ? name : undefined;
}

/** "app" for services/payment/app/x.ts. */
const layerOf = (path: string) => (serviceOf(path) === undefined ? undefined : path.split("/")[2]);

export interface Violation {
  rule: string;
  from: string;
  /** The imported file, or the package. */
  to: string;
}

type Rule = { name: string; broken: (i: Import) => boolean };

export const RULES: Rule[] = [
  {
    name: "no service imports another service's files",
    broken: ({ from, to }) => to !== undefined && serviceOf(to) !== undefined && serviceOf(to) !== serviceOf(from),
  },
  {
    name: "domain/ imports only its own domain, the shared kernel and contracts",
    broken: ({ from, to, specifier }) => {
      if (layerOf(from) !== "domain") return false;
      if (to === undefined) return !matches(specifier, [...PURE_PACKAGES, ...(isTest(from) ? TEST_PACKAGES : [])]);
      const ownDomain = `services/${serviceOf(from)}/domain/`;
      return !matches(to, [ownDomain, ...KERNEL, ...CONTRACTS]);
    },
  },
  {
    name: "the shared kernel imports only the kernel and contracts",
    broken: ({ from, to, specifier }) => {
      if (!matches(from, KERNEL) || isTest(from)) return false;
      return to === undefined ? !matches(specifier, PURE_PACKAGES) : !matches(to, [...KERNEL, ...CONTRACTS]);
    },
  },
  {
    name: "views/ import only views, their service's domain, the shared kernel and contracts",
    broken: ({ from, to, specifier }) => {
      if (layerOf(from) !== "views") return false;
      const packages = [...PURE_PACKAGES, ...VIEW_PACKAGES, ...(isTest(from) ? TEST_PACKAGES : [])];
      if (to === undefined) return !matches(specifier, packages);
      const own = (layer: string) => `services/${serviceOf(from)}/${layer}/`;
      return !matches(to, [own("views"), own("domain"), ...KERNEL, ...CONTRACTS]);
    },
  },
  {
    name: "app/ never imports store/",
    broken: ({ from, to }) => layerOf(from) === "app" && to !== undefined && layerOf(to) === "store",
  },
];

export function violations(imports: Import[]): Violation[] {
  return RULES.flatMap((rule) =>
    imports.filter(rule.broken).map((i) => ({ rule: rule.name, from: i.from, to: i.to ?? i.specifier })),
  );
}
