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
//     those of any worker it starts); this guard, the command line and the bookkeeping are harness.mjs's,
//     shared with pages.mjs.
// Then it saves a full-page screenshot. It exits 1 with a list of what failed, or 2 on bad usage; the whole
// run is limited to 60 s.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { check, checkRequests, finish, setup } from './harness.mjs';
import { consoleErrors, cspViolations, pageErrors } from './harness.mjs';
import { executablePath, launch, newContext, STEP_TIMEOUT_MS, watch } from './harness.mjs';

const EXPECTED_RESULT = '"total": 26';

const { base, target: screenshotPath } = setup({
  name: 'graphiql.mjs',
  target: '<screenshot-path>',
  timeoutMs: 60_000,
});
const pageUrl = new URL('/graphql', base).href;

async function run() {
  const browser = await launch();
  // A new context is a fresh profile: empty localStorage, so GraphiQL must show its default query.
  const context = await newContext({ viewport: { width: 1400, height: 900 } });
  // One page, so everything it does is recorded and listed: every request, console warnings, where each message
  // and CSP violation came from.
  const page = await watch(context, { verbose: true });

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
  checkRequests();
}

await finish(run);
console.log('graphiql.mjs: all checks passed');
