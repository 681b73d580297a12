// End-to-end tests of the rules page (/rules) and of running a response
// from an alert's page, registered into run.mjs's list (they run after
// its own tests: they add alerts to tenant acme).
export function rulesTests(t) {
  const { test, expect, base, ingest, syslogLine, basic, login, shot, waitFor, RULE_ID, ACCEPTED_ID, responseLog } = t;

  const alertsOf = async (rule, host) => {
    const r = await (await fetch(`${base}/api/v1/alerts?tenant=acme&status=&rule_id=${rule}&entity=${host}`, { headers: basic('alice') })).json();
    return r.total;
  };
  // A batch with a failed password (the rule under test) and an accepted
  // one (the barrier: once its alert is there, the whole batch was
  // evaluated) from a host of its own.
  const round = async (host) => {
    const at = Date.now();
    await ingest('acme', [
      syslogLine(at, host, 'sshd[501]: Failed password for root from 203.0.113.77 port 40001 ssh2'),
      syslogLine(at, host, 'sshd[502]: Accepted password for root from 203.0.113.77 port 40002 ssh2'),
    ], 'rfc3164');
    await waitFor('the barrier alert of ' + host, async () => (await alertsOf(ACCEPTED_ID, host)) > 0);
    return alertsOf(RULE_ID, host);
  };
  const row = `tr[data-rule="${RULE_ID}"]`;

  test('rules: disable a rule for a tenant in the console and see it stop firing', async (page) => {
    await login(page, 'alice');
    await page.goto(`${base}/rules?tenant=acme`);
    await page.waitForSelector(row);
    const cells = await page.textContent(row);
    expect(/E2E SSH failed password/.test(cells) && /high/.test(cells), 'the rule and its level: ' + cells);
    expect(!/never/.test(cells), 'it fired before: ' + cells);
    await shot(page, 'rules');
    // before: it fires
    expect((await round('rules-e2e-1')) === 1, 'the rule fires while enabled');
    await page.uncheck(`${row} input[type=checkbox]`);
    await page.waitForSelector(`${row}.off`);
    const listed = await (await fetch(`${base}/api/v1/rules?tenant=acme`, { headers: basic('alice') })).json();
    const r = listed.rules.find((x) => x.id === RULE_ID);
    expect(r && !r.enabled && r.disabled_by === 'alice', 'disabled by alice: ' + JSON.stringify(r));
    const globex = await (await fetch(`${base}/api/v1/rules?tenant=globex`, { headers: basic('bob') })).json();
    expect(globex.rules.find((x) => x.id === RULE_ID).enabled, 'still enabled for globex');
    // events sent through the real binary raise no alert of it any more
    expect((await round('rules-e2e-2')) === 0, 'the disabled rule does not fire for acme');
    await page.check(`${row} input[type=checkbox]`);
    await page.waitForSelector(`${row}:not(.off)`);
    expect((await round('rules-e2e-3')) === 1, 'enabled again, it fires');
  });

  test('rules: test a rule on a pasted event, and backtest it over stored events', async (page) => {
    await login(page, 'alice');
    await page.goto(`${base}/rules?tenant=acme`);
    await page.click(`${row} button.linkish`);
    await page.waitForSelector('.rule-panel');
    await page.fill('textarea[aria-label="Sample events"]',
      '{"message": "Failed password for root from 203.0.113.9 port 22 ssh2", "process.name": "sshd", "host.name": "web9"}\n' +
      '{"message": "Accepted password for root", "process.name": "sshd", "host.name": "web9"}');
    await page.click('.rule-panel button:has-text("Test")');
    await page.waitForSelector('[aria-label="Test result"]');
    const tr = await page.textContent('[aria-label="Test result"]');
    expect(/1 of 2 events matched/.test(tr) && /#1 ✓/.test(tr) && /#2 ✗/.test(tr), 'test result: ' + tr);
    await page.selectOption('select[aria-label="Backtest range"]', '-1h');
    await page.click('.rule-panel button:has-text("Backtest")');
    await page.waitForSelector('[aria-label="Backtest result"]');
    const bt = await page.textContent('[aria-label="Backtest result"]');
    // 22 failed passwords from web1 at start, and the rounds above
    const m = bt.match(/(\d+) of (\d+) events matched: it would have raised (\d+) alert/);
    expect(m && Number(m[1]) >= 22 && Number(m[2]) > Number(m[1]) && Number(m[3]) >= 1 && /took \d+ ms/.test(bt), 'backtest result: ' + bt);
    await shot(page, 'rules-backtest');
  });

  test('rules: the ATT&CK coverage matrix lists the rules and alerts of a cell', async (page) => {
    await login(page, 'alice');
    await page.goto(`${base}/rules?tenant=acme&tab=coverage&from=-24h`);
    const cell = '[data-cell="credential-access/T1110"]';
    await page.waitForSelector(cell);
    await page.selectOption('select[aria-label="Shade by"]', 'alerts');
    await page.click(cell);
    await page.waitForSelector('.cell-detail');
    const d = await page.textContent('.cell-detail');
    expect(/E2E SSH failed password/.test(d) && /Alerts in the period \([1-9]/.test(d), 'cell detail: ' + d);
    await shot(page, 'rules-coverage');
    await page.click('.cell-detail a[href^="/rules"]');
    await page.waitForSelector('.rule-panel');
  });

  test('alert page: an analyst runs a configured response; the run is recorded with the actor', async (page) => {
    await login(page, 'alice');
    await page.goto(`${base}/alerts?tenant=acme&from=-1h&status=all&rule=${RULE_ID}`);
    await page.waitForSelector('.alert-row a');
    await page.click('.alert-row a');
    await page.waitForSelector('.response-run select[aria-label=Response]');
    await page.click('.response-run button:has-text("Run response")');
    await page.waitForSelector('.response-run tr[data-outcome=success] >> text=alice');
    await shot(page, 'alert-response');
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    const recs = await (await fetch(`${base}/api/v1/responses?tenant=acme&subject=${encodeURIComponent(id)}`, { headers: basic('alice') })).json();
    expect(recs.responses.some((r) => r.actor === 'alice' && r.outcome === 'success' && r.response === 'e2e-ticket'), 'record: ' + JSON.stringify(recs));
    await waitFor('the program got the alert', async () => {
      const { readFileSync } = await import('node:fs');
      const got = readFileSync(responseLog, 'utf8');
      return got.includes(id) && got.includes('"actor":"alice"');
    });
    // a viewer gets no button
    const ctx = await page.context().browser().newContext();
    const p2 = await ctx.newPage();
    await login(p2, 'vera');
    await p2.goto(page.url());
    await p2.waitForSelector('.response-run');
    expect((await p2.locator('.response-run button:has-text("Run response")').count()) === 0, 'viewer sees no run button');
    await ctx.close();
  });
}
