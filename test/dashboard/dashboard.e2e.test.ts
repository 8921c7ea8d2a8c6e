/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * `eddy server` running the bot-tagging example and two test jobs: the applications list, the
 * job graph with metrics that update, a vertex's subtasks opened with the keyboard, a flame
 * graph sampled from a running subtask (also driven by the keyboard), checkpoint and exception
 * views, the log followed live, a walk through list, tabs, a vertex and an action dialog with the
 * keyboard alone, a confirmed action, a
 * configuration diff, the viewer's read-only page, a 50-vertex page in under a second, and no
 * console error anywhere. Screenshots go to a temp directory, or to docs/guides/images/ with
 * EDDY_UPDATE_SCREENSHOTS=1 (they illustrate docs/guides/dashboard.md).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureDashboardBuilt, TestBrowser } from '../support/browser.ts';
import { EddyServer } from '../support/eddy-server.ts';
import { waitFor } from '../support/wait-for.ts';

const shots =
  process.env['EDDY_UPDATE_SCREENSHOTS'] === '1'
    ? fileURLToPath(new URL('../../docs/guides/images/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'eddy-dashboard-shots-'));
mkdirSync(shots, { recursive: true });

/**
 * Presses Tab (Shift+Tab with `back`) until the focused element matches the CSS `selector` (and
 * has the text `text`, if given); fails after 80 presses, naming where the focus went.
 */
async function tabTo(page: Page, selector: string, text?: string, back = false): Promise<void> {
  // A string, not a function: the tests compile without the DOM's types.
  const probe = `(() => {
    const el = document.activeElement;
    if (el === null) return 'none';
    const t = (el.textContent ?? '').trim();
    if (el.matches(${JSON.stringify(selector)}) && (${JSON.stringify(text ?? null)} === null || t === ${JSON.stringify(text ?? null)})) return 'yes';
    return el.tagName.toLowerCase() + ' ' + t.slice(0, 30);
  })()`;
  const seen: string[] = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const hit = (await page.evaluate(probe)) as string;
    if (hit === 'yes') return;
    seen.push(hit);
  }
  assert.fail(`the focus never reached ${selector}; it went through: ${seen.join(' | ')}`);
}

describe('the dashboard in a browser', { timeout: 240_000 }, () => {
  let server: EddyServer;
  let browser: TestBrowser;
  let admin: Page;
  let viewerToken: string;

  before(async () => {
    ensureDashboardBuilt();
    [server, browser] = await Promise.all([
      EddyServer.start({ EDDY_METRICS_STEP_MS: '1000' }),
      TestBrowser.launch(),
    ]);
    viewerToken = await server.addToken('viewer');
    await Promise.all([
      server.deploy('bots', 'examples/bot-tagging.ts', {
        parallelism: 2,
        properties: { source: { events: '0', rate: '2000' } },
        checkpoints: { intervalMs: 1000 },
        resources: { units: 0.5 },
      }),
      server.deploy('flaky', 'test/dashboard/fixtures/flaky-job.ts', {
        properties: { flaky: { every: '1500', rate: '1000' } },
        restartStrategy: {
          type: 'failure-rate',
          maxFailures: 1000,
          intervalMs: 60_000,
          delayMs: 200,
        },
        checkpoints: { intervalMs: 1000 },
        resources: { units: 0.25 },
      }),
      server.deploy('wide', 'test/dashboard/fixtures/wide-job.ts', {
        resources: { units: 0.25 },
      }),
    ]);
    ({ page: admin } = await browser.page());
    // The token arrives in the link once, as `npm start` prints it, and is kept by the browser.
    await admin.goto(`${server.url}/#token=${server.adminToken}`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const shot = (page: Page, name: string, fullPage = false) =>
    page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage });

  it('lists the applications with status, version, records/s and checkpoint age', async () => {
    await admin.goto(`${server.url}/#/`);
    const rows = admin.locator('table[aria-label=applications] tbody tr');
    await waitFor(async () => (await rows.count()) === 3, { timeoutMs: 15_000 });
    const bots = admin.locator('tr', { has: admin.locator('a', { hasText: /^bots$/ }) });
    await waitFor(
      async () =>
        /RUNNING/.test(await bots.innerText()) &&
        /\/s/.test(await bots.innerText()) &&
        /ago/.test(await bots.innerText()),
      {
        timeoutMs: 20_000,
        message: 'bots to show RUNNING, a rate and a checkpoint age',
      },
    );
    // The flaky application fails over and over: it carries the failing marker.
    const flaky = admin.locator('tr', { has: admin.locator('a', { hasText: /^flaky$/ }) });
    await waitFor(async () => (await flaky.locator('.marker').count()) === 1, {
      timeoutMs: 30_000,
      message: 'flaky to be marked failing',
    });
    await shot(admin, 'applications');
  });

  it('draws the job graph from the plan, with metrics that update', async () => {
    await admin.goto(`${server.url}/#/apps/bots/overview`);
    const vertices = admin.locator('svg.job-graph g.vertex');
    await waitFor(async () => (await vertices.count()) === 8, { timeoutMs: 15_000 });
    assert.equal(await admin.locator('svg.job-graph path.edge').count(), 7);
    const label = async () =>
      (await admin.locator('svg.job-graph g.vertex[data-vertex="1"]').getAttribute('aria-label')) ??
      '';
    assert.match(await label(), /user-events: source, parallelism 2, in 0\/s, out [\d,.]+\/s/);
    const first = await admin.locator('[data-testid=sampled-at]').innerText();
    await waitFor(
      async () => (await admin.locator('[data-testid=sampled-at]').innerText()) !== first,
      {
        timeoutMs: 10_000,
        message: 'the job view to refresh',
      },
    );
    // The charts fill from the server's history (one point a second here).
    await waitFor(
      async () => (await admin.locator('section[aria-label=charts] .chart').count()) === 4,
      {
        timeoutMs: 15_000,
      },
    );
    await waitFor(
      () =>
        server
          .call('GET', '/v1/applications/bots/job/history')
          .then((r) => r.json.times.length >= 5),
      {
        timeoutMs: 20_000,
      },
    );
    await admin.reload();
    await vertices.first().waitFor();
    await shot(admin, 'job-graph', true);
  });

  it('opens a vertex with the keyboard: subtasks, their metrics and charts', async () => {
    await admin.goto(`${server.url}/#/apps/bots/overview`);
    const enrichment = admin.locator('svg.job-graph g.vertex', { hasText: 'bot-tag-enrichment' });
    await enrichment.waitFor();
    await enrichment.focus();
    await admin.keyboard.press('Enter');
    const rows = admin.locator('table[aria-label=subtasks] tbody tr');
    await waitFor(async () => (await rows.count()) === 2, { timeoutMs: 10_000 });
    assert.match(await rows.first().innerText(), /bots_detected=/, "the operator's own metric");
    assert.match(admin.url(), /vertex=2/);
    await shot(admin, 'vertex', true);
  });

  it('samples a subtask and draws its flame graph, with search, zoom and a .cpuprofile download', async () => {
    await admin.goto(`${server.url}/#/apps/bots/flamegraph?vertex=2&subtask=1`);
    await admin.locator('input[type=number]').first().fill('2');
    await admin.getByRole('button', { name: 'Sample' }).click();
    const frames = admin.locator('svg.flame-svg g.frame');
    await waitFor(async () => (await frames.count()) > 10, {
      timeoutMs: 30_000,
      message: 'a flame graph',
    });
    const download = admin.locator('a', { hasText: 'Download .cpuprofile' });
    assert.match((await download.getAttribute('href')) ?? '', /^blob:/);
    assert.match((await download.getAttribute('download')) ?? '', /\.cpuprofile$/);
    await admin.locator('.flame input[type=search]').fill('processBatch');
    await waitFor(async () => (await admin.locator('svg.flame-svg g.frame.match').count()) > 0, {
      timeoutMs: 5000,
      message: 'frames matching processBatch',
    });
    assert.match(
      await admin.locator('[data-testid=flame-match]').innerText(),
      /% of the shown samples match/,
    );
    await shot(admin, 'flame-graph', true);
    // Zoom into a matching frame: fewer frames are drawn, and Reset zoom comes back.
    const before = await frames.count();
    await admin.locator('svg.flame-svg g.frame.match').first().click();
    await waitFor(async () => (await frames.count()) < before, {
      timeoutMs: 5000,
      message: 'a zoom',
    });
    await admin.getByRole('button', { name: 'Reset zoom' }).click();
    await waitFor(async () => (await frames.count()) === before, { timeoutMs: 5000 });
    // The same with the keyboard: one tab stop, arrows select (announced), Enter zooms, Escape resets.
    const selected = admin.locator('[data-testid=flame-selected]');
    const rootText = await selected.innerText();
    await admin.locator('svg.flame-svg').focus();
    await admin.keyboard.press('ArrowDown');
    await admin.keyboard.press('ArrowDown');
    const chosen = await selected.innerText();
    assert.notEqual(chosen, rootText, 'the arrow keys select another frame');
    assert.equal(await admin.locator('svg.flame-svg g.frame.selected').count(), 1);
    await admin.keyboard.press('Enter');
    await waitFor(async () => (await frames.count()) < before, {
      timeoutMs: 5000,
      message: 'a zoom with Enter',
    });
    await admin.keyboard.press('ArrowUp');
    assert.notEqual(await selected.innerText(), chosen, 'ArrowUp selects the caller');
    await admin.keyboard.press('Escape');
    await waitFor(async () => (await frames.count()) === before, {
      timeoutMs: 5000,
      message: 'Escape resets the zoom',
    });
  });

  it('works with the keyboard alone: list → application → tabs → a vertex → an action dialog', async () => {
    const { page } = await browser.page();
    await page.goto(`${server.url}/#token=${server.adminToken}`);
    await page.locator('table[aria-label=applications]').waitFor();
    await tabTo(page, 'a[href="#/apps/bots"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/apps\/bots/);
    await page.locator('svg.job-graph g.vertex').first().waitFor();
    await tabTo(page, 'a[href$="/apps/bots/checkpoints"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/checkpoints$/);
    await page.locator('table[aria-label="checkpoint history"]').waitFor();
    await tabTo(page, 'a[href$="/apps/bots/overview"]', undefined, true);
    await page.keyboard.press('Enter');
    await page.locator('svg.job-graph g.vertex').first().waitFor();
    await tabTo(page, 'svg.job-graph g.vertex');
    await page.keyboard.press('Enter');
    await page.waitForURL(/vertex=\d+/);
    await page.locator('table[aria-label=subtasks]').waitFor();
    await tabTo(page, '[role=toolbar] button', 'Snapshot', true);
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    const focusedInDialog = await page.evaluate(
      "document.activeElement !== null && document.activeElement.closest('dialog') !== null",
    );
    assert.equal(focusedInDialog, true, 'the dialog takes the focus');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await page.locator('dialog[open]').count()) === 0, {
      timeoutMs: 5000,
      message: 'Escape closes the dialog without acting',
    });
    await page.close();
  });

  it('shows the checkpoint history with duration, size and alignment', async () => {
    await admin.goto(`${server.url}/#/apps/bots/checkpoints`);
    const rows = admin.locator('table[aria-label="checkpoint history"] tbody tr');
    await waitFor(async () => (await rows.count()) >= 2, { timeoutMs: 20_000 });
    const text = await rows.first().innerText();
    assert.match(text, /COMPLETED/);
    assert.match(text, /checkpoint/);
    assert.match(text, /\d+(\.\d)? (B|KB)/);
    await shot(admin, 'checkpoints');
  });

  it('shows the exception history with stacks', async () => {
    await admin.goto(`${server.url}/#/apps/flaky/exceptions`);
    const first = admin.locator('details.exception').first();
    await first.waitFor({ timeout: 30_000 });
    assert.match(await first.locator('summary').innerText(), /simulated failure after \d+ records/);
    assert.match(await first.locator('pre.stack').innerText(), /checkValue/);
    await shot(admin, 'exceptions');
  });

  it('follows the log live: new lines stream in over one request, not by polling', async () => {
    const logRequests: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/logs?')) logRequests.push(r.url());
    };
    admin.on('request', onRequest);
    try {
      // The flaky application fails and restarts every second or two: its log keeps growing.
      await admin.goto(`${server.url}/#/apps/flaky/logs`);
      const pre = admin.locator('pre[aria-label="log lines"]');
      await waitFor(async () => !/^Loading/.test(await pre.innerText()), {
        timeoutMs: 20_000,
        message: 'the log to load',
      });
      const count = async () => (await pre.innerText()).split('\n').filter(Boolean).length;
      const before = await count();
      await waitFor(async () => (await count()) > before, {
        timeoutMs: 20_000,
        message: `new log lines to arrive without a reload (have: ${before} lines)`,
      });
      assert.equal(logRequests.length, 1, `one streaming request: ${logRequests.join(', ')}`);
      assert.match(logRequests[0] ?? '', /follow=true/);
    } finally {
      admin.off('request', onRequest);
    }
  });

  it('takes a snapshot after a confirmation, and lists it in operations', async () => {
    await admin.goto(`${server.url}/#/apps/bots/operations`);
    await admin.getByRole('button', { name: 'Snapshot', exact: true }).click();
    const dialog = admin.locator('dialog[open]');
    await dialog.waitFor();
    await shot(admin, 'confirm');
    await dialog.getByRole('button', { name: 'Confirm snapshot' }).click();
    await waitFor(
      async () =>
        /operation op-\S+ started/.test(await admin.locator('.actions [role=status]').innerText()),
      {
        timeoutMs: 10_000,
      },
    );
    const snapshotRow = admin.locator('table[aria-label=operations] tbody tr', {
      hasText: 'SNAPSHOT',
    });
    await waitFor(
      async () =>
        /SUCCESSFUL/.test(
          await snapshotRow
            .first()
            .innerText()
            .catch(() => ''),
        ),
      {
        timeoutMs: 60_000,
        message: 'the snapshot operation to succeed',
      },
    );
  });

  it('diffs the configuration of two versions', async () => {
    const patch = await server.call('PATCH', '/v1/applications/wide', {
      config: { resources: { units: 0.25 }, batchSize: 64 },
    });
    assert.equal(patch.status, 202, JSON.stringify(patch.json));
    await server.operationEnds(patch.json.operationId);
    await admin.goto(`${server.url}/#/apps/wide/configuration`);
    const added = admin.locator('pre.diff .add');
    await waitFor(async () => (await added.count()) > 0, { timeoutMs: 10_000 });
    assert.match(await added.allInnerTexts().then((t) => t.join('\n')), /"batchSize": 64/);
    await shot(admin, 'configuration', true);
  });

  it("gives a viewer every page and no action; the API refuses the viewer's changes", async () => {
    const { page: viewer } = await browser.page();
    await viewer.goto(`${server.url}/`);
    await viewer.locator('#token').fill(viewerToken);
    await viewer.getByRole('button', { name: 'Sign in' }).click();
    await viewer.locator('table[aria-label=applications]').waitFor();
    assert.match(await viewer.locator('header .who').innerText(), /viewer/);
    await viewer.goto(`${server.url}/#/apps/bots/overview`);
    await viewer.locator('svg.job-graph g.vertex').first().waitFor();
    assert.equal(await viewer.locator('[role=toolbar][aria-label=actions]').count(), 0);
    assert.equal(
      await viewer.getByRole('button', { name: /^(Stop|Snapshot|Start|Rollback)$/ }).count(),
      0,
    );
    await shot(viewer, 'viewer');
    const refused = await server.call('POST', '/v1/applications/bots/stop', {}, viewerToken);
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'FORBIDDEN');
    const read = await server.call('GET', '/v1/applications/bots/job', undefined, viewerToken);
    assert.equal(read.status, 200);
    await viewer.close();
  });

  // The target is under a second on an idle machine (docs/guides/dashboard.md quotes the figures);
  // the assertion allows a loaded one (EDDY_DASHBOARD_LOAD_LIMIT_MS, default 4000), so it catches
  // a page that became slow, not a busy CI.
  it('loads an application page of 50 vertices quickly', async () => {
    const { page } = await browser.page();
    await page.goto(`${server.url}/#token=${server.adminToken}`);
    await page.locator('table[aria-label=applications]').waitFor();
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto('about:blank');
      const started = Date.now();
      await page.goto(`${server.url}/#/apps/wide/overview`);
      await page.waitForFunction(
        "document.querySelectorAll('svg.job-graph g.vertex').length === 50",
      );
      timings.push(Date.now() - started);
    }
    timings.sort((a, b) => a - b);
    const median = timings[1] as number;
    const limit = Number(process.env['EDDY_DASHBOARD_LOAD_LIMIT_MS'] ?? 4000);
    process.stdout.write(`# 50-vertex page: ${timings.join(', ')} ms (median ${median})\n`);
    assert.ok(median < limit, `50-vertex page took ${timings.join(', ')} ms (median ${median})`);
    await shot(page, 'wide');
    await page.close();
  });

  it('logged no console error on any page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
