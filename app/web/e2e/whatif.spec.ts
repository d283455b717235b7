// The "What if" panel (issue 20): an isolated BTC long's liquidation point on the plot sits
// where its liquidation price (the position table's, solved in closed form by other code) says,
// to a basis point; with the BTC slider at −10% the point moves by +10%; the table closes the
// position just past the point and nothing just before it; the other modes' curves are drawn.
import { expect, test, type Page } from '@playwright/test';

const money = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));

/**
 * One consistent reading (the panel and the tables are drawn from the same refresh): the
 * correlated move the plot marks for sub-account `id`'s fall liquidation, and the move its
 * liquidation price implies with BTC first moved by `btcMove` percent.
 */
async function reading(page: Page, id: number, btcMove: number) {
  const read = await page.evaluate((id) => {
    const text = (testid: string) => document.querySelector(`[data-testid="${testid}"]`)?.textContent ?? '';
    const shocks = Array.from(document.querySelectorAll(`[data-testid="liquidation-point-${id}"]`)).map((p) => Number((p as HTMLElement).dataset.shock));
    return { mark: text('mark-BTC-PERP'), liquidation: text(`liquidation-${id}-BTC-PERP`), shocks };
  }, id);
  const falls = read.shocks.filter((x) => x <= 0);
  expect(falls).toHaveLength(1);
  const implied = (money(read.liquidation) / money(read.mark) - 1) * 100 - btcMove;
  return { marked: falls[0], implied };
}

test('the what-if plot marks the liquidation where the liquidation price says', async ({ page }, info) => {
  await page.goto('/?wallet=trader-3');
  await page.getByRole('button', { name: 'Ringfence burner (trader-3)' }).click();
  await expect(page.getByTestId('owner')).toBeVisible();

  // An isolated BTC long: $600 of margin behind 0.05 BTC at 10x (about $2,500 of notional).
  await page.locator('#t-market').selectOption({ label: 'BTC-PERP' });
  await page.locator('input[name="t-type"][value="market"]').check();
  await page.locator('input[name="t-mode"][value="isolated"]').check();
  await page.locator('#t-margin').fill('600');
  await page.locator('input[name="t-side"][value="long"]').check();
  await page.locator('#t-size').fill('0.05');
  await page.locator('#t-leverage').fill('10');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toHaveText('Opened long 0.05 BTC-PERP (isolated).');
  // The new isolated sub-account is trader-3's only BTC position (the orders test closed its own).
  const liquidation = page.locator('[data-testid^="liquidation-"][data-testid$="-BTC-PERP"]');
  await expect(liquidation).toContainText('$');
  const id = Number((await liquidation.getAttribute('data-testid'))!.split('-')[1]);
  await expect(page.getByTestId('whatif-plot')).toBeVisible();
  await expect(page.getByTestId(`liquidation-point-${id}`).first()).toBeVisible();

  // A fall of about 23% takes equity to maintenance: marked within 0.05% of it (a basis
  // point of bisection and the cents the tables round to).
  const first = await reading(page, id, 0);
  expect(first.implied).toBeLessThan(-15);
  expect(Math.abs(first.marked - first.implied)).toBeLessThanOrEqual(0.05);
  await expect(page.locator('[data-curve="each-isolated"]')).toHaveCount(1);
  await expect(page.locator('[data-curve="one-cross"]')).toHaveCount(1);

  // BTC alone 10% lower first: the point moves 10% nearer zero.
  await page.locator('#whatif-BTC-PERP').fill('-10');
  await expect(page.getByTestId('whatif-BTC-PERP-value')).toHaveText('-10%');
  await expect.poll(async () => (await reading(page, id, -10)).marked).toBeGreaterThan(first.marked + 9);
  const moved = await reading(page, id, -10);
  expect(Math.abs(moved.marked - moved.implied)).toBeLessThanOrEqual(0.05);

  // Just past the point the table closes the BTC position; one percent before it, nothing.
  await page.locator('#whatif-correlated').fill(String(Math.floor(moved.marked)));
  await expect(page.getByTestId(`whatif-closed-${id}`)).toContainText('BTC-PERP');
  await page.screenshot({ path: info.outputPath('what-if.png'), fullPage: true });
  await page.locator('#whatif').screenshot({ path: info.outputPath('what-if-panel.png') });
  await page.locator('#whatif-correlated').fill(String(Math.ceil(moved.marked) + 1));
  await expect(page.getByTestId(`whatif-closed-${id}`)).toHaveText('nothing');
});
