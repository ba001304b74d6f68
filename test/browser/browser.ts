import { mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";

/** Debian's Chromium (scripts/setup/ensure-chromium.sh installs it); Playwright's own browser downloads are not used. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Nothing but localhost is reachable: keep Chromium from trying to phone home.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/browser", import.meta.url));
/** How long a click or a wait for an element may take before the test fails. */
const ACTION_TIMEOUT_MS = 10_000;

/** An iPhone 12-14 sized screen, as a phone's browser renders (honours the viewport meta tag, touch). */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 3,
};

export interface BrowserUnderTest {
  /** A fresh page (own cookies) for the running test, on a desktop-sized window. */
  page: Page;
  /** Another fresh page (own cookies) on a desktop-sized window, for a second person; closed with the test. */
  otherPage(): Promise<Page>;
  /** Another fresh page, on a phone's screen; closed with the test. */
  phonePage(): Promise<Page>;
  /** Saves a full-page screenshot as test-artifacts/browser/<test file>/<test name>/<nn>-<step>.png. */
  shot(step: string, page?: Page): Promise<void>;
}

/** A file name from a test's or step's words, cut at a word near 80 characters. */
function slug(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return words.length <= 80 ? words : words.slice(0, 81).replace(/-[^-]*$/, "");
}

/**
 * Chromium for the file (beforeAll), a page per test, and screenshots into the test's own artifact folder; a failed
 * test leaves a screenshot of where it stopped. Read the fields inside tests.
 */
export function useBrowser(): BrowserUnderTest {
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let fileFolder = "";
  let folder = "";
  let shots = 0;

  const newPage = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    contexts.push(context);
    return context.newPage();
  };

  const under: BrowserUnderTest = {
    page: undefined as unknown as Page,
    otherPage: () => newPage(),
    phonePage: () => newPage(PHONE),
    async shot(step, page = under.page) {
      shots += 1;
      await page.screenshot({
        path: join(folder, `${String(shots).padStart(2, "0")}-${slug(step)}.png`),
        fullPage: true,
      });
    },
  };

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  beforeEach(async ({ task }) => {
    if (fileFolder === "") {
      // The file's folder holds only this run's screenshots (none of renamed or removed tests).
      fileFolder = join(ARTIFACTS, basename(task.file.filepath, ".test.ts"));
      rmSync(fileFolder, { recursive: true, force: true });
    }
    folder = join(fileFolder, slug(task.name));
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    shots = 0;
    under.page = await newPage();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") {
      for (const page of contexts.flatMap((c) => c.pages())) await under.shot("failed", page).catch(() => {});
    }
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  return under;
}

/** The text a person reads in each body row of a table, cell by cell, once the table is on the page. */
export async function rowsOf(table: Locator): Promise<string[][]> {
  await table.first().waitFor();
  return table
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((row) => [...(row as HTMLTableRowElement).cells].map((cell) => cell.innerText.trim())),
    );
}

/** Each term of a console description list (dt) and what a person reads next to it (dd), once the list is on the page. */
export async function definitionsOf(list: Locator): Promise<Record<string, string>> {
  await list.waitFor();
  return list.evaluate((dl) =>
    Object.fromEntries(
      [...dl.querySelectorAll(":scope > dt")].map((dt) => [
        (dt as HTMLElement).innerText.trim(),
        (dt.nextElementSibling as HTMLElement).innerText.trim(),
      ]),
    ),
  );
}

/** USD minor units as the console writes them: "24.37 USD". */
export const usdText = (minor: bigint): string => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")} USD`;

/** Follows a link of the console header's navigation, and waits for its page. */
export async function navigate(page: Page, link: string, path: string): Promise<void> {
  await page.getByRole("link", { name: link, exact: true }).click();
  await page.waitForURL(`**${path}`);
}

/** The table right below a section heading of the console (tables sit in a scrolling box). */
export const tableUnder = (page: Page, heading: string): Locator =>
  page.locator(`h2:text-is("${heading}") + .scroll table`);

/**
 * The page is laid out at the phone's width (a page without the viewport meta tag gets a 980px desktop layout,
 * shrunk) and fits it: nothing to scroll sideways (a wide table may scroll inside its own box).
 */
export async function expectFitsPhoneWidth(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(clientWidth, `layout width of ${page.url()}`).toBe(PHONE.viewport!.width);
  expect(scrollWidth, `width of ${page.url()}`).toBeLessThanOrEqual(clientWidth);
}

/** An operator of the console as they log in, and how its header then names them. */
export interface ConsoleOperator {
  login: string;
  password: string;
  /** The header's "<display name> (<login>, <role>)". */
  who: string;
}

/** The finance operator every test platform's console starts with. */
export const CONSOLE_ADMIN: ConsoleOperator = {
  login: "admin",
  password: CONSOLE_ADMIN_PASSWORD,
  who: "Administrator (admin, finance)",
};

/**
 * Opens `path` of the console at `consoleUrl`, logging in as `as` (the admin unless told) on the login page it sends
 * a visitor to; `shot` screenshots the filled-in login form.
 */
export async function openLoggedIn(
  page: Page,
  consoleUrl: string,
  path: string,
  options: { as?: ConsoleOperator; shot?: (step: string) => Promise<void> } = {},
): Promise<void> {
  const { as = CONSOLE_ADMIN, shot } = options;
  await page.goto(`${consoleUrl}${path}`);
  expect(await page.locator("h1").innerText()).toBe("Log in");
  await page.getByLabel("Login").fill(as.login);
  await page.getByLabel("Password").fill(as.password);
  await shot?.("login");
  await page.getByRole("button", { name: "Log in" }).click();
  // Logged in, the header names the operator; refused, the login page says why (and the assertion shows it).
  const outcome = page.locator("header .who").or(page.getByRole("alert")).first();
  expect(await outcome.innerText()).toBe(as.who);
  expect(new URL(page.url()).pathname).toBe(path);
}
