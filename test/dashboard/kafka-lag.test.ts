/**
 * The job view's Kafka figures against a real broker: a job behind its topic shows lag per
 * partition that drains to 0, and offset commits to the consumer group succeed on checkpoints
 * (`GET /v1/applications/{name}/job`, served by a real `eddy server`). Then the Kafka tab in a
 * browser lists the partitions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureDashboardBuilt, TestBrowser } from '../support/browser.ts';
import { EddyServer } from '../support/eddy-server.ts';
import { createTopic, ensureKafka, uniqueName, type KafkaBroker } from '../support/kafka-broker.ts';
import { waitFor } from '../support/wait-for.ts';
import { jsonRecords, produce } from '../kafka/kafka-support.ts';

const kafka = await ensureKafka();

describe(
  'Kafka lag in the job view',
  { skip: 'skip' in kafka ? kafka.skip : false, timeout: 180_000 },
  () => {
    let server: EddyServer;
    const topic = uniqueName('dashboard-lag');

    before(async () => {
      const { bootstrap } = kafka as KafkaBroker;
      await createTopic(bootstrap, topic, 2);
      await produce(bootstrap, jsonRecords(topic, 4000, 2));
      server = await EddyServer.start({ EDDY_METRICS_STEP_MS: '500' });
      await server.deploy('lagging', 'test/dashboard/fixtures/kafka-lag-job.ts', {
        properties: { lag: { topic, bootstrap, 'cost-ms': '2' } },
        checkpoints: { intervalMs: 500 },
        resources: { units: 0.25 },
      });
    });

    after(async () => {
      await server?.close();
    });

    const view = async () => (await server.call('GET', '/v1/applications/lagging/job')).json;

    it('shows lag per partition while the job is behind, then 0; commits succeed', async () => {
      const behind = await waitFor(
        async () => {
          const v = await view();
          return v.kafka.totalLag > 0 ? v : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, message: 'lag above 0' },
      );
      assert.deepEqual(
        behind.kafka.partitions.map((p: { topic: string; partition: number }) => [
          p.topic,
          p.partition,
        ]),
        [
          [topic, 0],
          [topic, 1],
        ],
      );
      assert.equal(
        behind.kafka.totalLag,
        behind.kafka.partitions.reduce((s: number, p: { lag: number }) => s + p.lag, 0),
      );
      assert.ok(behind.kafka.totalLag <= 4000);
      const caughtUp = await waitFor(
        async () => {
          const v = await view();
          return v.kafka.totalLag === 0 && v.kafka.commitsSucceeded > 0 ? v : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250, message: 'lag 0 and a successful commit' },
      );
      assert.equal(caughtUp.kafka.commitsFailed, 0);
      assert.equal(caughtUp.vertices[0].metrics.recordsOut, 4000);
      // The server's history charts the lag too.
      // (sampled every step: wait for the first sample rather than race the sampler)
      await waitFor(
        async () => {
          const history = (await server.call('GET', '/v1/applications/lagging/job/history')).json;
          return history.kafkaLag.some((l: number | null) => l !== null) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, message: 'the lag in the history' },
      );
    });

    it('lists the partitions on the Kafka tab', async () => {
      ensureDashboardBuilt();
      const browser = await TestBrowser.launch();
      try {
        const { page } = await browser.page();
        await page.goto(`${server.url}/#token=${server.adminToken}`);
        await page.locator('table[aria-label=applications]').waitFor();
        await page.goto(`${server.url}/#/apps/lagging/kafka`);
        const rows = page.locator('table[aria-label="kafka partitions"] tbody tr');
        await waitFor(async () => (await rows.count()) === 2, { timeoutMs: 15_000 });
        assert.match(await rows.first().innerText(), new RegExp(topic));
        assert.match(
          await page.locator('section[aria-label=kafka]').innerText(),
          /commits: [\d,]+ succeeded, 0 failed/,
        );
        if (process.env['EDDY_UPDATE_SCREENSHOTS'] === '1') {
          await page.screenshot({
            path: fileURLToPath(
              new URL('../../docs/guides/images/dashboard-kafka.png', import.meta.url),
            ),
          });
        }
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  },
);
