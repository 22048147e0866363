// Headless-browser test of the readers' pages that send-api serves: `/`, area pages, and embeds.
//
// Usage: node pages.mjs <base-url> <screenshot-dir>
//   e.g. node pages.mjs http://127.0.0.1:8080 ../../target/browser/pages
//
// It drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through playwright-core, with the same guard as
// graphiql.mjs, harness.mjs's (every host but loopback unresolvable, any request not bound for loopback aborted and
// reported), and for each page (`/`; North Northamptonshire, which has a predecessor and systemic failings; another
// area with systemic failings and its areas for priority action read; another with predecessors; three embeds)
// checks that:
//   - it answers 200 as text/html under a Content-Security-Policy, and loads with no console error, no uncaught
//     exception, no CSP violation and every request to the server succeeding;
//   - the numbers it shows (read from the DOM: lead sentences, legends, map links, table rows) equal the answers
//     of the GraphQL API (POST /graphql from node, to the same server) to the same questions, asked here in
//     queries of the test's own;
//   - no chart text (label, number, note) runs past its chart's edge, where it would be cut off;
//   - axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation, at 1280 px and at 375 px wide (axe-core runs in a second
//     context that bypasses the pages' CSP, which forbids any script; every other check runs under the CSP);
//   - at 375 px the page does not scroll sideways (only a table may, inside its own box).
// Then, on `/`, it follows a map link by keyboard (Tab until an area of the map has focus, Enter) to that area's
// page. It saves full-page screenshots of each page at 1280 px and 375 px wide: <dir>/<page>-desktop.png and
// <dir>/<page>-375.png. It exits 1 with a list of what failed, or 2 on bad usage; the whole run is limited to 240 s.
// There is no region page yet, so none is tested.

import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { check, checkRequests, checksPassed, finish, setup, timings } from './harness.mjs';
import { consoleErrors, cspViolations, pageErrors } from './harness.mjs';
import { executablePath, launch, newContext, STEP_TIMEOUT_MS, watch } from './harness.mjs';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const MAX_TABS = 60;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// North Northamptonshire: replaced Northamptonshire (2021), and its 2023-framework inspection found systemic
// failings. The issue names it.
const NORTH_NORTHAMPTONSHIRE = 'E06000061';

// The outcome in the words the pages use (api/src/pages/national.rs, outcome_words and the map's categories).
const OUTCOME_WORDS = {
  TYPICALLY_POSITIVE: 'typically positive',
  INCONSISTENT: 'inconsistent',
  WIDESPREAD_SYSTEMIC_FAILINGS: 'widespread or systemic failings',
};
const NOT_INSPECTED = 'not yet inspected under the 2023 framework';
// The map's CSS class of each category.
const OUTCOME_CLASS = {
  TYPICALLY_POSITIVE: 'outcome-positive',
  INCONSISTENT: 'outcome-inconsistent',
  WIDESPREAD_SYSTEMIC_FAILINGS: 'outcome-systemic',
};

const { base, target: shotDir } = setup({ name: 'pages.mjs', target: '<screenshot-dir>', timeoutMs: 240_000 });
const url = (path) => new URL(path, base).href;
const startedAt = Date.now();

// Checks that `shown` equals `expected` (compared as JSON), printing both when they differ.
function same(shown, expected, what) {
  const a = JSON.stringify(shown);
  const b = JSON.stringify(expected);
  return check(a === b, what, `the page shows ${a.slice(0, 600)}, the API answers ${b.slice(0, 600)}`);
}

// --- The GraphQL API, asked from node ----------------------------------------------------------------------

async function gql(query) {
  const res = await fetch(url('/graphql'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) {
    throw new Error(`GraphQL ${query.slice(0, 80)}… answered ${res.status}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

const AREAS_QUERY = `{ areas(first: 200) { edges { node { code name predecessors { area { code } }
  currentOutcome { outcome priorityActionsNotYetRead priorityActions { ordinal } } } } } }`;

// The same of the North West's areas only: what its region page's map shows.
const REGION_AREAS_QUERY = AREAS_QUERY.replace('areas(first: 200)', 'areas(first: 200, filter: {region: "E12000002"})');

const areaQuery = (code) => `{ area(code: "${code}") { name code dfeCode ofstedUrn region { name }
  predecessors { area { name code } } currentOutcome { outcome priorityActionsNotYetRead
  priorityActions { ordinal themeLabel } }
  timeline { viaPredecessor inspection { start { text } framework area { code } } }
  schedule { inspectionType due } } }`;

// --- Reading a figure from the DOM ---------------------------------------------------------------------------

// The figure under `root` (a section of a page, or an embed's main): its lead, its table's rows (each cell's text
// and link), its chart's segment titles, and its map's links.
function readFigure(page, root) {
  return page.evaluate((root) => {
    const el = document.querySelector(root);
    if (!el) return null;
    const text = (n) => (n ? n.textContent.replace(/\s+/g, ' ').trim() : null);
    const table = el.querySelector('table');
    return {
      lead: text(el.querySelector('p.lead')),
      columns: table ? [...table.querySelectorAll('thead th')].map(text) : [],
      rows: table
        ? [...table.querySelectorAll('tbody tr')].map((tr) =>
            [...tr.children].map((c) => ({ text: text(c), href: c.querySelector('a')?.getAttribute('href') ?? null })),
          )
        : [],
      segments: [...el.querySelectorAll('svg.bars rect > title')].map(text),
      legend: [...el.querySelectorAll('ul.legend li')].map(text),
      mapDesc: text(el.querySelector('svg.map desc')),
      mapLinks: [...el.querySelectorAll('svg.map a')].map((a) => ({
        href: a.getAttribute('href'),
        label: a.getAttribute('aria-label'),
        class: a.querySelector('path')?.getAttribute('class') ?? null,
      })),
    };
  }, root);
}

const cellTexts = (fig) => fig.rows.map((r) => r.map((c) => c.text));
const num = (s) => Number(s);

// --- The checks of each figure -------------------------------------------------------------------------------

async function checkMap(page, root, view, where, query = AREAS_QUERY) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the map figure is on the page`)) return;
  const nodes = (await gql(query)).areas.edges.map((e) => e.node);
  const category = (n) => (n.currentOutcome ? OUTCOME_WORDS[n.currentOutcome.outcome] : NOT_INSPECTED);
  const counts = (words) => nodes.filter((n) => category(n) === words).length;
  const words = [...Object.values(OUTCOME_WORDS), NOT_INSPECTED];
  const m = new RegExp(
    '^Of the (\\d+) current local areas: (\\d+) typically positive, (\\d+) inconsistent, ' +
      '(\\d+) widespread or systemic failings, (\\d+) not yet inspected under the 2023 framework\\.$',
  ).exec(fig.lead || '');
  if (check(m !== null, `${where}: the map's lead states a count per outcome`, JSON.stringify(fig.lead))) {
    same(
      m.slice(1).map(num),
      [nodes.length, ...words.map(counts)],
      `${where}: the lead's counts per outcome equal areas' current outcomes`,
    );
  }
  same(
    fig.legend,
    words.map((w) => `${w} (${counts(w)})`),
    `${where}: the legend's counts equal the API's`,
  );
  check(
    fig.mapDesc === fig.lead,
    `${where}: the map's text alternative (desc) states the same numbers as the lead`,
    JSON.stringify(fig.mapDesc),
  );
  check((await page.locator(`${root} svg.map-${view}`).count()) === 1, `${where}: the ${view} map is drawn`);
  const expected = nodes
    .map((n) => ({
      href: `/areas/${n.code}`,
      label: `${n.name}: ${category(n)}`,
      class: n.currentOutcome ? OUTCOME_CLASS[n.currentOutcome.outcome] : 'not-inspected',
    }))
    .sort((a, b) => a.href.localeCompare(b.href));
  const links = [...fig.mapLinks].sort((a, b) => a.href.localeCompare(b.href));
  same(
    links,
    expected,
    `${where}: the map has one link per area, to its page, named and classed by its current outcome`,
  );
  same(
    cellTexts(fig).map((r) => [r[0], r[1], r[2]]),
    nodes.map((n) => [n.name, n.code, category(n)]),
    `${where}: the map's table lists every area with its current outcome`,
  );
}

async function checkCoverage(page, root, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the coverage figure is on the page`)) return;
  const { coverage: c } = await gql('{ coverage { areas inspected remaining } }');
  const m = /(\d+) of the (\d+) local areas had had a full inspection under the 2023 framework; (\d+) had not\./.exec(
    fig.lead || '',
  );
  if (check(m !== null, `${where}: the coverage lead states inspected and remaining`, JSON.stringify(fig.lead))) {
    same(
      [m[1], m[2], m[3]].map(num),
      [c.inspected, c.areas, c.remaining],
      `${where}: the lead's inspected/areas/remaining equal coverage's`,
    );
  }
  const table = Object.fromEntries(cellTexts(fig).map(([k, v]) => [k, v]));
  same(
    [table['local areas'], table['inspected under the 2023 framework'], table['not yet inspected']].map(num),
    [c.areas, c.inspected, c.remaining],
    `${where}: the table's areas/inspected/not yet inspected equal coverage's`,
  );
  same(
    fig.segments,
    [`${c.inspected} inspected`, `${c.remaining} not yet`],
    `${where}: the chart's bars are titled with the same numbers`,
  );
}

async function checkOutcomesByYear(page, root, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the outcomes-by-year figure is on the page`)) return;
  const { outcomeProfiles: groups } = await gql(
    `{ outcomeProfiles(filter: {framework: FRAMEWORK_2023, inspectionType: FULL}, groupBy: YEAR) {
      key profile { total outcomes { outcome count } } } }`,
  );
  same(
    cellTexts(fig).map((r) => [r[0], r[1], num(r[2])]),
    groups.flatMap((g) => g.profile.outcomes.map((o) => [g.key, OUTCOME_WORDS[o.outcome] ?? o.outcome, o.count])),
    `${where}: the table's inspections per year and outcome equal outcomeProfiles'`,
  );
  same(
    fig.legend,
    [...new Set(groups.flatMap((g) => g.profile.outcomes.map((o) => OUTCOME_WORDS[o.outcome] ?? o.outcome)))],
    `${where}: the chart's legend names each outcome its bars show`,
  );
  const totals = [...(fig.lead || '').matchAll(/(\d{4}): (\d+) inspections/g)].map((m) => [m[1], num(m[2])]);
  same(
    totals,
    groups.map((g) => [g.key, g.profile.total]),
    `${where}: the lead's total per year equals outcomeProfiles'`,
  );
}

async function checkThemes(page, root, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the themes figure is on the page`)) return;
  const { priorityActionThemes: themes } = await gql('{ priorityActionThemes { label priorityActions inspections } }');
  same(
    cellTexts(fig).map((r) => [r[0], num(r[1]), num(r[2])]),
    themes.map((t) => [t.label, t.priorityActions, t.inspections]),
    `${where}: the table's priority actions and inspections per theme equal priorityActionThemes'`,
  );
  same(
    fig.segments,
    themes.filter((t) => t.inspections > 0).map((t) => `${t.label}: ${t.inspections} inspections`),
    `${where}: the chart's bars are titled with the same numbers`,
  );
}

async function checkLatest(page, root, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the latest-reports figure is on the page`)) return;
  const { inspections } = await gql(
    `{ inspections(first: 10, orderBy: {field: PUBLISHED, direction: DESC}) {
      edges { node { area { name code } published { text } } } } }`,
  );
  same(
    fig.rows.map((r) => [r[0].text, r[0].href, r[1].text]),
    inspections.edges.map(({ node: n }) => [n.area.name, `/areas/${n.area.code}`, n.published?.text ?? '']),
    `${where}: the latest reports are the API's newest 10, in order, each linking to its area`,
  );
}

async function checkTimeline(page, root, a, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the timeline figure is on the page`)) return;
  const via = a.timeline.filter((e) => e.viaPredecessor);
  same(fig.rows.length, a.timeline.length, `${where}: the timeline has a row per inspection of the API's timeline`);
  same(
    fig.rows.map((r) => [r[0].text, r[5].href]),
    a.timeline.map((e) => [
      e.inspection.start?.text ?? '',
      e.viaPredecessor ? `/areas/${e.inspection.area.code}` : null,
    ]),
    `${where}: each row's start date and former area equal the API's, in order`,
  );
  const m = /^(\d+) inspections in all(?:, (\d+) of them of the areas it replaced)?\.$/.exec(fig.lead || '');
  if (check(m !== null, `${where}: the timeline's lead states its counts`, JSON.stringify(fig.lead))) {
    same(
      [num(m[1]), num(m[2] ?? 0)],
      [a.timeline.length, via.length],
      `${where}: the lead's counts (all, of former areas) equal the API's`,
    );
  }
}

async function checkPriorityActions(page, root, a, where) {
  const fig = await readFigure(page, root);
  if (!check(fig !== null, `${where}: the priority-actions figure is on the page`)) return;
  const actions = a.currentOutcome?.priorityActions ?? [];
  same(
    cellTexts(fig).map((r) => [num(r[0]), r[1]]),
    actions.map((p) => [p.ordinal, p.themeLabel ?? '']),
    `${where}: the areas for priority action (number, theme) equal the API's`,
  );
  if (actions.length > 0) {
    const m = /latest report named (\d+) areas for priority action\./.exec(fig.lead || '');
    check(
      m !== null && num(m[1]) === actions.length,
      `${where}: the lead states ${actions.length} areas for priority action`,
      JSON.stringify(fig.lead),
    );
  }
}

async function checkArea(page, code, where) {
  const { area: a } = await gql(areaQuery(code));
  same(await page.locator('h1').innerText(), a.name, `${where}: the <h1> is the area's name`);
  const summary = await readFigure(page, 'section#summary');
  if (check(summary !== null, `${where}: the summary figure is on the page`)) {
    const facts = cellTexts(summary);
    const fact = (k) => facts.find((r) => r[0] === k)?.[1];
    same(
      [fact('GSS code'), fact('DfE code'), fact('Ofsted URN'), fact('region')],
      [a.code, a.dfeCode ?? '', a.ofstedUrn ?? '', a.region?.name ?? ''],
      `${where}: the codes and region equal the API's`,
    );
    same(
      summary.rows.filter((r) => r[0].text === 'replaced').map((r) => r[1].href),
      a.predecessors.map((p) => `/areas/${p.area.code}`),
      `${where}: the areas it replaced link to the API's predecessors`,
    );
    if (a.currentOutcome) {
      const words = OUTCOME_WORDS[a.currentOutcome.outcome];
      check(
        (summary.lead || '').includes(`Its current outcome is ${words},`),
        `${where}: the lead states the current outcome (${words})`,
        JSON.stringify(summary.lead),
      );
    }
  }
  await checkTimeline(page, 'section#timeline', a, where);
  const schedule = await readFigure(page, 'section#schedule');
  if (check(schedule !== null, `${where}: the schedule figure is on the page`)) {
    same(
      cellTexts(schedule).map((r) => [r[0], r[1]]),
      a.schedule.map((s) => [s.inspectionType.toLowerCase(), s.due ?? '']),
      `${where}: the expected inspections (type, due by) equal the API's schedule`,
    );
  }
  await checkPriorityActions(page, 'section#priority-actions', a, where);
  return a;
}

// --- The pages -------------------------------------------------------------------------------------------------

// Picks the areas to open: North Northamptonshire, another area whose current outcome found systemic failings and
// whose areas for priority action are read, and another area that replaced others (not systemic).
async function choosePages() {
  const nodes = (await gql(AREAS_QUERY)).areas.edges.map((e) => e.node).sort((a, b) => a.code.localeCompare(b.code));
  const nn = nodes.find((n) => n.code === NORTH_NORTHAMPTONSHIRE);
  check(
    nn?.predecessors.length > 0 && nn?.currentOutcome?.outcome === 'WIDESPREAD_SYSTEMIC_FAILINGS',
    `${NORTH_NORTHAMPTONSHIRE} (North Northamptonshire) has a predecessor and systemic failings`,
  );
  const systemic = nodes.find(
    (n) =>
      n.code !== NORTH_NORTHAMPTONSHIRE &&
      n.currentOutcome?.outcome === 'WIDESPREAD_SYSTEMIC_FAILINGS' &&
      !n.currentOutcome.priorityActionsNotYetRead &&
      n.currentOutcome.priorityActions.length > 0,
  );
  const replaced = nodes.find(
    (n) => n.predecessors.length > 0 && n.currentOutcome && n.currentOutcome.outcome !== 'WIDESPREAD_SYSTEMIC_FAILINGS',
  );
  check(systemic !== undefined, 'the data has another area with systemic failings and its priority actions read');
  check(replaced !== undefined, 'the data has an area that replaced others, without systemic failings');
  const areaPage = (n, why) => ({
    name: `area-${n.code}`,
    path: `/areas/${n.code}`,
    why,
    check: (page, where) => checkArea(page, n.code, where),
  });
  const pages = [
    {
      name: 'national',
      path: '/',
      why: 'the national picture',
      check: async (page, where) => {
        same(await page.locator('h1').innerText(), 'Area SEND inspections in England', `${where}: the <h1>`);
        await checkMap(page, 'section#map', 'geographic', where);
        await checkCoverage(page, 'section#coverage', where);
        await checkOutcomesByYear(page, 'section#outcomes-by-year', where);
        await checkThemes(page, 'section#themes', where);
        await checkLatest(page, 'section#latest-reports', where);
      },
    },
    areaPage(nn ?? { code: NORTH_NORTHAMPTONSHIRE }, 'a predecessor and systemic failings'),
  ];
  if (systemic) pages.push(areaPage(systemic, 'systemic failings, priority actions read'));
  if (replaced) pages.push(areaPage(replaced, `${replaced.predecessors.length} predecessor(s)`));
  pages.push(
    {
      name: 'region-E12000002',
      path: '/regions/E12000002',
      why: 'a region: the national figures narrowed to its areas',
      check: async (page, where) => {
        same(await page.locator('h1').innerText(), 'North West', `${where}: the <h1>`);
        await checkMap(page, 'section#areas', 'geographic', where, REGION_AREAS_QUERY);
      },
    },
    {
      name: 'themes',
      path: '/themes',
      why: 'the themes page and its search form',
      check: (page, where) => checkThemes(page, 'section#themes', where),
    },
    {
      name: 'embed-coverage',
      path: '/embed/coverage',
      why: 'a national figure',
      check: (p, w) => checkCoverage(p, 'main', w),
    },
    {
      name: 'embed-map-hex',
      path: '/embed/map-hex',
      why: "the map's other view",
      check: (p, w) => checkMap(p, 'main', 'hex', w),
    },
    {
      name: `embed-area-${NORTH_NORTHAMPTONSHIRE}-timeline`,
      path: `/embed/areas/${NORTH_NORTHAMPTONSHIRE}/timeline`,
      why: "an area's figure",
      check: async (p, w) => checkTimeline(p, 'main', (await gql(areaQuery(NORTH_NORTHAMPTONSHIRE))).area, w),
    },
  );
  return pages;
}

// --- The browser -----------------------------------------------------------------------------------------------

async function axeCheck(page, where, axeSource) {
  // The pages' CSP allows no script, so axe-core can only be injected into a context that bypasses it; the pages
  // are checked under their CSP in the other context.
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const details = result.violations.map(
    (v) =>
      `\n       ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]` +
      v.nodes
        .slice(0, 8)
        .map(
          (n) =>
            `\n         - ${n.target.join(' ')}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
        )
        .join('') +
      (v.nodes.length > 8 ? `\n         … and ${v.nodes.length - 8} more` : ''),
  );
  check(
    result.violations.length === 0,
    `${where}: axe-core finds no WCAG 2.2 A/AA violation (${result.passes?.length ?? '?'} rules passed)`,
    `${result.violations.length} rule(s) violated:${details.join('')}`,
  );
}

async function run() {
  const require = createRequire(import.meta.url);
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await launch();
  console.log(`Testing the readers' pages of ${base.href} in ${executablePath} (${browser.version()})`);
  await mkdir(shotDir, { recursive: true });

  let current = '(setup)';
  const label = () => current;
  // The pages as a reader gets them: under their CSP (they run no script of their own).
  const page = await watch(await newContext({ viewport: DESKTOP, bypassCSP: false }), { label });
  // The same pages for axe-core only.
  const axePage = await (await newContext({ viewport: DESKTOP, bypassCSP: true })).newPage();
  axePage.setDefaultTimeout(STEP_TIMEOUT_MS);

  for (const p of await choosePages()) {
    const started = Date.now();
    current = p.path;
    const where = p.path;
    console.log(`--- ${p.path} (${p.why})`);
    await page.setViewportSize(DESKTOP);
    const response = await page.goto(url(p.path), { waitUntil: 'load' });
    const headers = response ? await response.allHeaders() : {};
    check(
      response?.status() === 200 && (headers['content-type'] || '').startsWith('text/html'),
      `${where}: answers 200 text/html`,
      `got ${response?.status()} ${headers['content-type']}`,
    );
    check(
      /default-src 'none'/.test(headers['content-security-policy'] || ''),
      `${where}: is served with a CSP (default-src 'none': no script)`,
      headers['content-security-policy'] || '(none)',
    );
    await p.check(page, where);
    // A chart's text (labels, numbers, notes) must lie inside its box: what runs past the edge is cut off.
    const clipped = await page.evaluate(() =>
      [...document.querySelectorAll('svg.bars')].flatMap((svg) => {
        const box = svg.viewBox.baseVal;
        return [...svg.querySelectorAll('text')]
          .filter((t) => {
            const b = t.getBBox();
            return (
              b.x < box.x - 0.5 ||
              b.y < box.y - 0.5 ||
              b.x + b.width > box.x + box.width + 0.5 ||
              b.y + b.height > box.y + box.height + 0.5
            );
          })
          .map((t) => `${svg.id || svg.getAttribute('aria-labelledby')}: ${JSON.stringify(t.textContent)}`);
      }),
    );
    check(clipped.length === 0, `${where}: no chart text runs past its chart's edge`, clipped.join('; '));

    await page.screenshot({ path: join(shotDir, `${p.name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(
      width <= PHONE.width + 1,
      `${where}: at ${PHONE.width} px wide, the page does not scroll sideways`,
      `it is ${width} px wide`,
    );
    await page.screenshot({ path: join(shotDir, `${p.name}-375.png`), fullPage: true });

    for (const viewport of [DESKTOP, PHONE]) {
      await axePage.setViewportSize(viewport);
      await axePage.goto(url(p.path), { waitUntil: 'load' });
      await axeCheck(axePage, `${where} at ${viewport.width} px`, axeSource);
    }
    const problems = (list) => list.filter((x) => x.startsWith(`${p.path}: `));
    check(problems(consoleErrors).length === 0, `${where}: no console errors`, problems(consoleErrors).join('; '));
    check(problems(cspViolations).length === 0, `${where}: no CSP violations`, problems(cspViolations).join('; '));
    timings.push(`${p.path}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  // Following a map link by keyboard: from the top of `/`, Tab until an area of the map has focus, then Enter.
  current = '/ (keyboard)';
  console.log('--- / by keyboard');
  await page.setViewportSize(DESKTOP);
  await page.goto(url('/'), { waitUntil: 'load' });
  let focused = null;
  let presses = 0;
  while (presses < MAX_TABS) {
    await page.keyboard.press('Tab');
    presses += 1;
    focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el.localName !== 'a' || !el.closest('svg.map')) return null;
      const path = el.querySelector('path');
      return {
        href: el.getAttribute('href'),
        label: el.getAttribute('aria-label'),
        stroke: path ? getComputedStyle(path).strokeWidth : null,
      };
    });
    if (focused) break;
  }
  if (check(focused !== null, `Tab reaches an area of the map within ${MAX_TABS} presses`, `no map link had focus`)) {
    console.log(`     after ${presses} presses: ${focused.href} (${focused.label})`);
    check(
      focused.stroke === '2px',
      'the focused area is outlined (a thicker border)',
      `stroke-width ${focused.stroke}`,
    );
    const code = focused.href.replace('/areas/', '');
    await Promise.all([page.waitForURL((u) => u.pathname === focused.href), page.keyboard.press('Enter')]);
    check(new URL(page.url()).pathname === focused.href, `Enter follows the link to ${focused.href}`, page.url());
    const { area } = await gql(`{ area(code: "${code}") { name } }`);
    same(await page.locator('h1').innerText(), area.name, `the area's page has the area's name as its <h1>`);
    check(focused.label.startsWith(`${area.name}: `), "the map link's name starts with the area's name", focused.label);
  }

  check(pageErrors.length === 0, 'no uncaught page errors', `${pageErrors.length} (listed below)`);
  checkRequests();
}

await finish(run, { stack: true });
const took = ((Date.now() - startedAt) / 1000).toFixed(1);
console.log(`pages.mjs: all ${checksPassed()} checks passed in ${took} s; screenshots in ${shotDir}`);
