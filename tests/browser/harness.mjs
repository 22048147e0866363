// What the browser tests graphiql.mjs and pages.mjs share, stated once: their command line, the loopback guard, the
// record of what the pages did, the check()/report() bookkeeping, the overall time limit and the ending (exit 0 when
// every check passed, 1 with the list of what failed, 2 on bad usage).
//
// The guard: Chromium (Debian's, /usr/bin/chromium, or $CHROMIUM, driven through playwright-core, which downloads no
// browser of its own) is launched with every host but loopback unresolvable (--host-resolver-rules) and, as a second
// guard, every context made by newContext() aborts and records any request not bound for loopback (context.route,
// which covers the pages' requests and those of any worker they start); a page made by watch() also records any such
// request or WebSocket it sees. checkRequests() then fails the test if anything tried to leave loopback, so a page
// that reaches for a CDN fails even where run.sh could make no network namespace.
//
// A script calls setup() first (it parses the arguments and starts the overall timer), then finish(run) with its
// checks, and prints its own success line when finish() returns (it exits 1 instead when a check failed).

import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const STEP_TIMEOUT_MS = 30_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

// What the pages did, listed by report() (each list only when not empty). `requests` and `consoleWarnings` are
// filled only by a verbose watch(); `timings` by the script itself.
const failures = [];
const requests = [];
const consoleWarnings = [];
export const consoleErrors = [];
export const pageErrors = [];
export const cspViolations = [];
export const blockedRequests = new Set(); // a URL is seen by both the route and the request event
export const failedRequests = [];
export const badResponses = [];
export const timings = [];

let script; // the script's file name, which starts its messages
let browser;
let overallTimer;
let passed = 0;

export const isLoopback = (url) => {
  try {
    const { protocol, hostname } = new URL(url);
    // data: and blob: URLs never leave the browser; everything else must go to loopback.
    return protocol === 'data:' || protocol === 'blob:' || LOOPBACK_HOSTS.has(hostname);
  } catch {
    return false;
  }
};

// Parses `node <name> <base-url> <target>` (exit 2 on bad usage; the base URL must be on loopback) and starts the
// overall timer. Returns the base URL and the target (a screenshot path or directory) resolved to an absolute path.
export function setup({ name, target, timeoutMs }) {
  script = name;
  const usage = (message) => {
    console.error(`${script}: ${message}`);
    console.error(`usage: node ${script} <base-url> ${target}`);
    process.exit(2);
  };
  const [baseArg, targetArg, ...extra] = process.argv.slice(2);
  if (!baseArg || !targetArg || extra.length > 0) usage('expected exactly two arguments');
  let base;
  try {
    base = new URL(baseArg);
  } catch {
    usage(`not a URL: ${baseArg}`);
  }
  if (!LOOPBACK_HOSTS.has(base.hostname)) usage(`the base URL must be on loopback, not ${base.hostname}`);

  overallTimer = setTimeout(async () => {
    console.error(`FAIL: the test did not finish within ${timeoutMs / 1000} s`);
    report();
    await browser?.close().catch(() => {});
    process.exit(1);
  }, timeoutMs);
  return { base, target: resolve(targetArg) };
}

export function check(ok, what, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`);
    failures.push(what);
  }
  return ok;
}

export const checksPassed = () => passed;

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
  list('timings', timings);
}

export async function launch() {
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
  return browser;
}

// A new browser context (`options` as Playwright's browser.newContext) with the loopback-only guard.
export async function newContext(options) {
  const context = await browser.newContext(options);
  // Abort and record anything not bound for loopback (a CDN script, a web font, telemetry...).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blockedRequests.add(url);
    return route.abort('blockedbyclient');
  });
  return context;
}

// A new page of `context` whose console errors, uncaught exceptions, CSP violations, failed requests and HTTP errors
// are recorded, each tagged with `label()` (the page being tested) when a label is given. `verbose` also records
// every request and console warning, where in the page a console message or CSP violation came from, and an
// uncaught exception's stack rather than only its message: worth it for one page, too much for many.
export async function watch(context, { label = null, verbose = false } = {}) {
  const tag = (text) => (label ? `${label()}: ${text}` : text);
  // CSP violations show up as console errors, but the DOM event gives the directive and the blocked
  // resource precisely. The init script and the binding come through the DevTools protocol, not the page,
  // so the CSP does not apply to them.
  await context.exposeBinding('__reportCspViolation', (_source, v) => {
    cspViolations.push(
      tag(
        `${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'}` +
          `${verbose && v.sourceFile ? ` at ${v.sourceFile}:${v.lineNumber}:${v.columnNumber}` : ''}` +
          `${v.sample ? ` sample: ${JSON.stringify(v.sample)}` : ''}`,
      ),
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
    const where = verbose && msg.location()?.url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
    if (msg.type() === 'error') consoleErrors.push(tag(`${msg.text()}${where}`));
    else if (verbose && msg.type() === 'warning') consoleWarnings.push(tag(`${msg.text()}${where}`));
  });
  page.on('pageerror', (err) => pageErrors.push(tag(String((verbose ? err?.stack : err?.message) || err))));
  page.on('request', (req) => {
    if (verbose) requests.push(`${req.method()} ${req.url().slice(0, 200)}`);
    if (!isLoopback(req.url())) blockedRequests.add(req.url());
  });
  // context.route does not see WebSockets; the host resolver rules stop them, and this reports them.
  page.on('websocket', (ws) => {
    if (verbose) requests.push(`WEBSOCKET ${ws.url()}`);
    if (!isLoopback(ws.url())) blockedRequests.add(ws.url());
  });
  page.on('requestfailed', (req) => {
    if (isLoopback(req.url())) failedRequests.push(tag(`${req.url()}: ${req.failure()?.errorText}`));
  });
  page.on('response', (res) => {
    if (res.status() >= 400) badResponses.push(tag(`${res.status()} ${res.request().method()} ${res.url()}`));
  });
  return page;
}

// The guard's verdict, checked last: nothing tried to leave loopback, and every request to the server succeeded.
export function checkRequests() {
  check(blockedRequests.size === 0, 'no request to any host but loopback', `${blockedRequests.size} (listed below)`);
  check(
    failedRequests.length === 0 && badResponses.length === 0,
    'every request to the server succeeded',
    `${failedRequests.length + badResponses.length} (listed below)`,
  );
}

// Runs the checks, lists what the pages did, closes the browser, and exits 1 with the list of failed checks if any
// failed (a throw counts as the failed check "the test ran to the end", printed with its stack if `stack`).
// Returns only when every check passed.
export async function finish(run, { stack = false } = {}) {
  let crashed = false;
  try {
    await run();
  } catch (err) {
    crashed = true;
    console.log(`FAIL ${(stack ? err?.stack : err?.message) || err}`);
    failures.push('the test ran to the end');
  }
  report();
  clearTimeout(overallTimer);
  await browser?.close().catch(() => {});
  if (failures.length > 0) {
    console.error(`${script}: ${failures.length} check(s) failed${crashed ? ' (the test stopped early)' : ''}:`);
    for (const f of failures) console.error(`  - ${f}`);
    process.exit(1);
  }
}
