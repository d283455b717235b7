// Limit orders and one-click trading in the browser: a limit buy is placed, listed, and filled
// by the keeper when the demo price falls through it; a wrong-side limit is refused at the
// ticket; one-click trading is enabled with one wallet signature, places and cancels an order
// and closes the position with no wallet signature, and is revoked in one click.
import { expect, test, type Locator, type Page } from '@playwright/test';

const money = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));
const signatures = async (page: Page) => Number((await page.locator('body').getAttribute('data-wallet-signatures')) ?? 0);

/** Clicks `button` until `done` holds: the accounts re-render on every refresh (issue 21). */
async function clickUntil(button: Locator, done: () => Promise<void>) {
  await expect(async () => {
    if (await button.count()) await button.click();
    await done();
  }).toPass({ timeout: 30_000 });
}

async function limitTicket(page: Page, o: { side: 'long' | 'short'; size: string; limit: string; reduceOnly?: boolean }) {
  await page.locator('#t-market').selectOption({ label: 'BTC-PERP' });
  await page.locator('input[name="t-mode"][value="cross"]').check();
  await page.locator('input[name="t-type"][value="limit"]').check();
  await page.locator(`input[name="t-side"][value="${o.side}"]`).check();
  await page.locator('#t-size').fill(o.size);
  await page.locator('#t-leverage').fill('5');
  await page.locator('#t-limit').fill(o.limit);
  await page.locator('#t-hours').fill('2');
  await page.locator('#t-reduce').setChecked(o.reduceOnly ?? false);
  await page.getByRole('button', { name: 'Preview' }).click();
}

test('a limit order rests and fills; one-click trading from enable to revoke', async ({ page }, info) => {
  await page.goto('/?wallet=trader-3');
  await page.getByRole('button', { name: 'Ringfence burner (trader-3)' }).click();
  await expect(page.getByTestId('owner')).toBeVisible();
  await page.getByRole('button', { name: 'new cross sub-account' }).click();
  await expect(page.getByTestId('sub-0')).toBeVisible();
  await page.getByTestId('amount-0').fill('20,000');
  await page.locator('[data-action="deposit"][data-sub="0"]').click();
  await expect(page.getByTestId('collateral-0')).toHaveText('$20,000.00');

  // A buy at or above the mark would fill at once: refused at the ticket, in words.
  const mark = money(await page.getByTestId('mark-BTC-PERP').innerText());
  await limitTicket(page, { side: 'long', size: '0.1', limit: String(Math.round(mark * 1.01)) });
  await expect(page.locator('#message')).toContainText('A limit buy rests below the mark');
  await expect(page.getByRole('button', { name: 'Sign and send' })).toBeDisabled();

  // 5% below the mark: previewed as filled at the limit, placed, listed.
  const limit = Math.round(mark * 0.95);
  await limitTicket(page, { side: 'long', size: '0.1', limit: String(limit) });
  await expect(page.getByTestId('p-limit-note')).toBeVisible();
  expect(Math.abs(money(await page.getByTestId('p-fill').innerText()) - limit) / limit).toBeLessThan(0.002);
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toContainText('Placed a limit buy of 0.1 BTC-PERP');
  await expect(page.getByTestId('order-0-0')).toBeVisible();
  expect(money(await page.getByTestId('order-limit-0-0').innerText())).toBe(limit);
  await page.screenshot({ path: info.outputPath('resting-order.png'), fullPage: true });

  // The demo's BTC −12% crosses it: the keeper fills it, the order leaves the list.
  await page.getByRole('button', { name: 'BTC −12%' }).click();
  await expect(page.getByTestId('position-0-BTC-PERP')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('order-0-0')).toHaveCount(0);

  // One-click trading: one wallet signature makes a session key the delegate.
  const before = await signatures(page);
  await clickUntil(page.getByRole('button', { name: 'enable one-click trading on #0' }), () =>
    expect(page.getByTestId('one-click-0')).toContainText("this browser's session key", { timeout: 5_000 }),
  );
  expect(await signatures(page)).toBe(before + 1);
  await page.screenshot({ path: info.outputPath('one-click.png'), fullPage: true });

  // With it on, placing and cancelling an order and closing the position ask the wallet nothing.
  const now = money(await page.getByTestId('mark-BTC-PERP').innerText());
  await limitTicket(page, { side: 'short', size: '0.05', limit: String(Math.round(now * 1.05)), reduceOnly: true });
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toContainText('(signed by the session key)');
  await expect(page.getByTestId('order-0-0')).toContainText('reduce-only');
  await clickUntil(page.getByRole('button', { name: 'cancel the BTC-PERP order of #0' }), () =>
    expect(page.getByTestId('order-0-0')).toHaveCount(0, { timeout: 5_000 }),
  );
  await expect(page.locator('#message')).toContainText('(signed by the session key)');
  await clickUntil(page.locator('[data-action="close"][data-sub="0"][data-market="0"]'), () =>
    expect(page.getByTestId('confirm-0-BTC-PERP')).toBeVisible({ timeout: 5_000 }),
  );
  await clickUntil(page.locator('[data-action="confirm-close"][data-sub="0"][data-market="0"]'), () =>
    expect(page.getByTestId('position-0-BTC-PERP')).toHaveCount(0, { timeout: 5_000 }),
  );
  expect(await signatures(page)).toBe(before + 1);

  // Revoked in one click (one wallet signature): no key but the wallet's can trade it.
  await clickUntil(page.getByRole('button', { name: 'revoke one-click trading on #0' }), () =>
    expect(page.getByTestId('one-click-0')).toContainText('off', { timeout: 5_000 }),
  );
  expect(await signatures(page)).toBe(before + 2);
  await page.screenshot({ path: info.outputPath('one-click-revoked.png'), fullPage: true });
});
