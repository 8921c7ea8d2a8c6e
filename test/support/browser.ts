/**
 * A headless Chromium for the dashboard's browser tests: Debian's package (installed by
 * `scripts/chromium.mjs` when missing, as root), driven by playwright-core. Collects every
 * console error and page error so a test can assert there were none.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The Chromium executable, installing Debian's package first when needed. */
export function chromiumPath(): string {
  const r = spawnSync(process.execPath, [join(root, 'scripts/chromium.mjs'), 'path'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error('no Chromium: see the output of scripts/chromium.mjs above');
  // The path is the last line (anything an installer printed before it is not).
  return r.stdout.trim().split('\n').pop() ?? '';
}

/** Builds the dashboard into dist/dashboard/ unless it is there. */
export function ensureDashboardBuilt(): void {
  const r = spawnSync(
    process.execPath,
    [join(root, 'scripts/build-dashboard.mjs'), '--if-missing'],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error('building the dashboard failed');
}

/** A browser and the console errors of every page it opened. */
export class TestBrowser {
  readonly errors: string[] = [];

  private constructor(private readonly browser: Browser) {}

  /** Launches headless Chromium. */
  static async launch(): Promise<TestBrowser> {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      // CI runs as root, where Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    return new TestBrowser(browser);
  }

  /** A fresh 1280×800 context (own storage: own token) and a page in it. */
  async page(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.errors.push(`${page.url()}: ${e.message}`));
    return { context, page };
  }

  /** Closes the browser. */
  close(): Promise<void> {
    return this.browser.close();
  }
}
