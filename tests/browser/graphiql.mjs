// Headless-browser test of the GraphiQL page that send-api serves at GET /graphql (Accept: text/html).
//
// Usage: node graphiql.mjs <base-url> <screenshot-path>
//   e.g. node graphiql.mjs http://127.0.0.1:8080 ../../target/browser/graphiql.png
//
// It drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through playwright-core, which downloads no
// browser of its own, with a fresh profile, and checks that:
//   - the page loads under the server's Content-Security-Policy (the header is present and script-src allows
//     neither 'unsafe-inline' nor 'unsafe-eval'),
//   - GraphiQL's query editor appears and shows the default example query,
//   - clicking the run button runs it and the result pane shows `"total": 26`,
//   - the settings dialog opens and closes (it is what makes GraphiQL add its only inline <style> element),
//   - the page logged no console error, threw no uncaught exception and caused no CSP violation,
//   - every request went to the server under test (loopback) and succeeded: no CDN, no web fonts, nothing
//     from the internet. Other hosts are made unresolvable (--host-resolver-rules) and, as a second guard,
//     any request to them is aborted and reported (context.route, which covers the page's requests and
//     those of any worker it starts).
// Then it saves a full-page screenshot. It exits 1 with a list of what failed, or 2 on bad usage; the whole
// run is limited to 60 s.

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const OVERALL_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 30_000;
const EXPECTED_RESULT = '"total": 26';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

function usage(message) {
  console.error(`graphiql.mjs: ${message}`);
  console.error('usage: node graphiql.mjs <base-url> <screenshot-path>');
  process.exit(2);
}

const [baseArg, screenshotArg, ...extra] = process.argv.slice(2);
if (!baseArg || !screenshotArg || extra.length > 0) usage('expected exactly two arguments');
let base;
try {
  base = new URL(baseArg);
} catch {
  usage(`not a URL: ${baseArg}`);
}
if (!LOOPBACK_HOSTS.has(base.hostname)) usage(`the base URL must be on loopback, not ${base.hostname}`);
const pageUrl = new URL('/graphql', base).href;
const screenshotPath = resolve(screenshotArg);

const failures = [];
const consoleErrors = [];
const consoleWarnings = [];
const pageErrors = [];
const cspViolations = [];
const blockedRequests = new Set(); // a URL is seen by both the route and the request event
const failedRequests = [];
const badResponses = [];
const requests = [];

const isLoopback = (url) => {
  try {
    const { protocol, hostname } = new URL(url);
    // data: and blob: URLs never leave the browser; everything else must go to loopback.
    return protocol === 'data:' || protocol === 'blob:' || LOOPBACK_HOSTS.has(hostname);
  } catch {
    return false;
  }
};

let browser;
const overallTimer = setTimeout(async () => {
  console.error(`FAIL: the test did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  report();
  await browser?.close().catch(() => {});
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

function check(ok, what, detail = '') {
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`);
    failures.push(what);
  }
  return ok;
}

function report() {
  const list = (title, items) => {
    if (items.length === 0) return;
    console.log(`${title} (${items.length}):`);
    for (const item of items) console.log(`  - ${item}`);
  };
  list('requests made', requests);
  list('console warnings (not failures)', consoleWarnings);
  list('console errors', consoleErrors);
  list('uncaught page errors', pageErrors);
  list('CSP violations', cspViolations);
  list('blocked non-loopback requests', [...blockedRequests]);
  list('failed requests', failedRequests);
  list('HTTP error responses', badResponses);
}

async function run() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: STEP_TIMEOUT_MS,
    args: [
      // Every host name but loopback fails to resolve, so nothing on the internet is reachable even when
      // the machine has a network (run.sh also runs this in a network namespace with loopback only).
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
      // No background traffic of the browser's own (playwright-core already adds most such switches).
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-domain-reliability',
      '--no-pings',
      // /dev/shm is small in containers; Chromium then falls back to /tmp instead of crashing.
      '--disable-dev-shm-usage',
    ],
  });
  // A new context is a fresh profile: empty localStorage, so GraphiQL must show its default query.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });

  // Abort and record anything not bound for loopback (a CDN script, a web font, telemetry...).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blockedRequests.add(url);
    return route.abort('blockedbyclient');
  });

  // CSP violations show up as console errors, but the DOM event gives the directive and the blocked
  // resource precisely. The init script and the binding come through the DevTools protocol, not the page,
  // so the CSP does not apply to them.
  await context.exposeBinding('__reportCspViolation', (_source, v) => {
    cspViolations.push(
      `${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'}` +
        `${v.sourceFile ? ` at ${v.sourceFile}:${v.lineNumber}:${v.columnNumber}` : ''}` +
        `${v.sample ? ` sample: ${JSON.stringify(v.sample)}` : ''}`,
    );
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation({
        effectiveDirective: e.effectiveDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        lineNumber: e.lineNumber,
        columnNumber: e.columnNumber,
        sample: e.sample,
      });
    });
  });

  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('console', (msg) => {
    const where = msg.location()?.url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
    if (msg.type() === 'error') consoleErrors.push(`${msg.text()}${where}`);
    else if (msg.type() === 'warning') consoleWarnings.push(`${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => pageErrors.push(String(err?.stack || err)));
  page.on('request', (req) => {
    requests.push(`${req.method()} ${req.url().slice(0, 200)}`);
    if (!isLoopback(req.url())) blockedRequests.add(req.url());
  });
  page.on('websocket', (ws) => {
    requests.push(`WEBSOCKET ${ws.url()}`);
    if (!isLoopback(ws.url())) blockedRequests.add(ws.url());
  });
  page.on('requestfailed', (req) => {
    if (isLoopback(req.url())) failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) badResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });

  console.log(`Opening ${pageUrl} in ${executablePath} (${browser.version()})`);
  const response = await page.goto(pageUrl, { waitUntil: 'load' });
  check(response?.status() === 200, 'GET /graphql as a browser navigation answers 200', `got ${response?.status()}`);
  const headers = response ? await response.allHeaders() : {};
  check(
    (headers['content-type'] || '').startsWith('text/html'),
    'the page is text/html',
    `got ${headers['content-type']}`,
  );
  const csp = headers['content-security-policy'] || '';
  console.log(`     Content-Security-Policy: ${csp || '(none)'}`);
  const scriptSrc = (csp.split(';').find((d) => /^\s*script-src\s/.test(d)) || '').trim();
  check(
    scriptSrc !== '' && !/'unsafe-inline'|'unsafe-eval'/.test(scriptSrc),
    'the page is served with a CSP whose script-src allows no inline script and no eval',
    scriptSrc ? `script-src is "${scriptSrc}"` : 'no script-src directive',
  );
  check((await page.title()) === 'Area SEND inspections API', 'the page title is "Area SEND inspections API"');

  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  // Fail at once, rather than at the time-out, if the page throws before GraphiQL renders.
  const pageBroke = new Promise((_, reject) => {
    const broke = (err) => reject(new Error(`the page threw before GraphiQL appeared: ${err.message}`));
    if (pageErrors.length > 0) broke(new Error(pageErrors[0].split('\n')[0]));
    else page.once('pageerror', broke);
  });
  pageBroke.catch(() => {});
  await Promise.race([editor.waitFor({ state: 'visible' }), pageBroke]);
  check(true, "GraphiQL's query editor appeared");

  // CodeMirror 5 keeps its instance on the wrapper element; its value is the whole text, even lines that
  // are scrolled out of view and so not in the DOM.
  const editorText = await editor.evaluate((el) => (el.CodeMirror ? el.CodeMirror.getValue() : el.innerText));
  check(
    editorText.includes('outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023})'),
    'a fresh profile shows the default example query',
    JSON.stringify(editorText.slice(0, 200)),
  );

  const queryResponse = page.waitForResponse(
    (res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/graphql' &&
      (res.request().postData() || '').includes('outcomeProfile'),
  );
  await page.locator('.graphiql-execute-button').click();
  check(true, 'clicked the run button');
  const res = await queryResponse;
  check(res.status() === 200, 'the query was sent as POST /graphql and answered 200', `got ${res.status()}`);

  try {
    await page.waitForFunction(
      (expected) => {
        const el = document.querySelector('.graphiql-response .CodeMirror');
        const text = el ? (el.CodeMirror ? el.CodeMirror.getValue() : el.innerText) : '';
        return text.includes(expected);
      },
      EXPECTED_RESULT,
      { timeout: STEP_TIMEOUT_MS },
    );
    check(true, `the result pane shows ${EXPECTED_RESULT}`);
  } catch {
    const shown = await page
      .locator('.graphiql-response')
      .first()
      .innerText()
      .catch(() => '(no result pane)');
    check(false, `the result pane shows ${EXPECTED_RESULT}`, `it shows ${JSON.stringify(shown.slice(0, 500))}`);
  }

  // Opening a dialog makes GraphiQL (Radix UI's react-remove-scroll-bar) add a <style> element that locks
  // the page's scrolling: the one inline style it ever adds. The CSP must allow exactly that element by its
  // hash, or this step logs a CSP violation. Upgrading GraphiQL may change the element and so its hash.
  await page.locator('button[aria-label="Open settings dialog"]').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  check(true, 'opened and closed the settings dialog');

  // Let anything the result triggers (lazy chunks, fonts, late errors) happen before judging.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
  await page.waitForTimeout(500);

  await mkdir(dirname(screenshotPath), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`     screenshot saved to ${screenshotPath}`);

  check(consoleErrors.length === 0, 'no console errors', `${consoleErrors.length} (listed below)`);
  check(pageErrors.length === 0, 'no uncaught page errors', `${pageErrors.length} (listed below)`);
  check(cspViolations.length === 0, 'no CSP violations', `${cspViolations.length} (listed below)`);
  if (cspViolations.some((v) => v.startsWith('style-src'))) {
    console.log("     (a blocked inline style's console error names the sha256 hash that would allow it)");
  }
  check(blockedRequests.size === 0, 'no request to any host but loopback', `${blockedRequests.size} (listed below)`);
  check(
    failedRequests.length === 0 && badResponses.length === 0,
    'every request to the server succeeded',
    `${failedRequests.length + badResponses.length} (listed below)`,
  );
}

let crashed = false;
try {
  await run();
} catch (err) {
  crashed = true;
  console.log(`FAIL ${err?.message || err}`);
  failures.push('the test ran to the end');
}
report();
clearTimeout(overallTimer);
await browser?.close().catch(() => {});
if (failures.length > 0) {
  console.error(`graphiql.mjs: ${failures.length} check(s) failed${crashed ? ' (the test stopped early)' : ''}:`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log('graphiql.mjs: all checks passed');
