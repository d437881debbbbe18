/**
 * Console benchmark (admin console issue: "fast with 10,000 devices"):
 *  - a filter change in the console (address → requests → table and counts re-rendered), in Debian's
 *    Chromium, beside the same two GraphQL requests the page makes, sent from Node to the same api
 *    in the same run (the floor any client could reach);
 *  - a cold page load (sign-in kept) to the first rows of the device table, beside the same requests.
 * Every filter is used once, so the console's cache never answers for the server.
 * Our target: p95 of a filter change <= 250 ms, and within 100 ms of the bare requests.
 */
import { DEVICES, FLEET_SUMMARY, toDeviceFilter } from '../../services/console/src/api/fleet.js';
import { USERS, newPage, signIn, startStack, tokenFor } from '../../services/console/test/harness.js';
import { fmt, percentile, table, verdict } from '../lib.js';

const LOADS = 15;

export async function run(): Promise<void> {
  const stack = await startStack({ scale: 5 });
  try {
    const db = stack.deps.db;
    const [kinds, segments, models] = await Promise.all([
      db.device.groupBy({ by: ['kind'] }),
      db.segment.findMany({ select: { id: true } }),
      db.deviceModel.findMany({ select: { id: true } }),
    ]);
    // Unique filters: kind × segment, then model × segment.
    const filters: Record<string, string>[] = [];
    for (const s of segments) for (const k of kinds) filters.push({ kind: k.kind, segment: s.id });
    for (const s of segments) for (const m of models) filters.push({ model: m.id, segment: s.id });
    const expected = await Promise.all(
      filters.map((f) => db.device.count({ where: { segmentId: f.segment, ...(f.kind ? { kind: f.kind as never } : {}), ...(f.model ? { modelId: f.model } : {}) } })),
    );

    const token = await tokenFor(stack, USERS.admin);
    const bare = async (f: Record<string, string>) => {
      const t = performance.now();
      const post = (query: string, variables: object) =>
        fetch(`${stack.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        }).then((r) => r.json());
      const filter = toDeviceFilter(f);
      await Promise.all([post(DEVICES, { filter, first: 200, after: null, orderBy: { field: 'NAME', direction: 'ASC' } }), post(FLEET_SUMMARY, { filter })]);
      return performance.now() - t;
    };

    const { page, context } = await newPage(stack);
    await signIn(page, USERS.admin);
    await page.getByTestId('device-count').filter({ hasText: '10,000 devices match' }).waitFor();

    // In the page: change the address, then wait (checking every frame) until the page has been
    // seen fetching and then shows the expected count with the table and counts settled. (Seeing the
    // fetch first matters: two filters in a row may match the same number of devices.)
    // (Sent as source text: the bundler that runs this file would otherwise add helpers to it.)
    const change = (query: string, want: string) =>
      page.evaluate(`new Promise((resolve, reject) => {
        const t = performance.now();
        let fetching = false;
        let settled = false;
        const look = () => {
          if (settled) return;
          const status = document.querySelector('[data-testid="device-count"]')?.textContent ?? '';
          const busy = document.querySelector('.summary[aria-busy="true"]') || status.includes('updating');
          if (busy) fetching = true;
          if (fetching && !busy && status === ${JSON.stringify(want)}) {
            settled = true;
            observer.disconnect();
            return resolve(performance.now() - t);
          }
          if (performance.now() - t > 10000) {
            settled = true;
            observer.disconnect();
            return reject(new Error('timed out; saw ' + status + (fetching ? '' : ' (never saw it fetch)')));
          }
        };
        // Every DOM change is looked at as it happens (a fast answer can start and end within one
        // frame), and every frame too (for the time-out).
        const observer = new MutationObserver(look);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
        const frame = () => { look(); if (!settled) requestAnimationFrame(frame); };
        history.pushState(null, '', ${JSON.stringify(`/?${query}#/`)});
        requestAnimationFrame(frame);
      })`) as Promise<number>;

    const ui: number[] = [];
    const raw: number[] = [];
    // Warm both paths (JIT, connection pools) on filters that are not measured.
    for (let i = 0; i < 5; i++) await bare({ kind: 'LIGHT' });
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      const n = expected[i]!;
      const want = `${n.toLocaleString('en')} device${n === 1 ? '' : 's'} match`;
      ui.push(await change(new URLSearchParams(f).toString(), want));
      raw.push(await bare(f));
    }

    // Cold loads: a fresh page each time, the session already in sessionStorage.
    const load: number[] = [];
    const loadRaw: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t = performance.now();
      await page.goto('/?', { waitUntil: 'commit' });
      await page.locator('table[aria-label="Devices"] tbody tr[data-device-id]').first().waitFor();
      load.push(performance.now() - t);
      loadRaw.push(await bare({}));
    }
    await context.close();

    for (const a of [ui, raw, load, loadRaw]) a.sort((x, y) => x - y);
    const [u50, u95, r50, r95] = [percentile(ui, 50), percentile(ui, 95), percentile(raw, 50), percentile(raw, 95)];
    console.log(`${filters.length} distinct filter changes over 10,000 devices; ${LOADS} cold loads`);
    console.log(table([
      ['measure', 'console (Chromium)', 'bare GraphQL requests (Node)', 'difference'],
      ['filter change → table and counts p50 (ms)', fmt(u50, 1), fmt(r50, 1), fmt(u50 - r50, 1)],
      ['filter change → table and counts p95 (ms)', fmt(u95, 1), fmt(r95, 1), fmt(u95 - r95, 1)],
      ['page load → first rows p50 (ms)', fmt(percentile(load, 50), 1), fmt(percentile(loadRaw, 50), 1), fmt(percentile(load, 50) - percentile(loadRaw, 50), 1)],
      ['page load → first rows p95 (ms)', fmt(percentile(load, 95), 1), fmt(percentile(loadRaw, 95), 1), fmt(percentile(load, 95) - percentile(loadRaw, 95), 1)],
    ]));
    console.log(verdict(u95 <= 250, `filter change p95 <= 250 ms (${fmt(u95, 1)})`));
    console.log(verdict(u95 - r95 <= 100, `within 100 ms of the bare requests at p95 (+${fmt(u95 - r95, 1)})`));
  } finally {
    await stack.stop();
  }
}
