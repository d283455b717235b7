// A trader's session in the browser: connect the burner wallet, deposit, open an isolated and
// a cross position with the preview read before signing, see the liquidation price, move the
// demo price and watch the margin ratio change, close, read the fills back from the indexer,
// and get refused orders (leverage above the market's at the field, slippage from the program)
// in words.
import { expect, test, type Page } from '@playwright/test';

const money = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));

async function fillTicket(page: Page, o: { market: string; mode: 'cross' | 'isolated'; margin?: string; size: string; leverage: string }) {
  await page.locator('#t-market').selectOption({ label: o.market });
  await page.locator(`input[name="t-mode"][value="${o.mode}"]`).check();
  if (o.margin) await page.locator('#t-margin').fill(o.margin);
  await page.locator('input[name="t-side"][value="long"]').check();
  await page.locator('#t-size').fill(o.size);
  await page.locator('#t-leverage').fill(o.leverage);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('preview')).toBeVisible();
}

test('a trader deposits, trades both modes with a preview, watches risk move, closes', async ({ page }, info) => {
  await page.goto('/?wallet=trader-2');
  await page.getByRole('button', { name: 'Ringfence burner (trader-2)' }).click();
  await expect(page.getByTestId('owner')).toBeVisible();
  await expect(page.getByTestId('wallet-usd')).toHaveText('$100,000.00');

  await page.getByRole('button', { name: 'new cross sub-account' }).click();
  await expect(page.getByTestId('sub-0')).toBeVisible();
  await page.getByTestId('amount-0').fill('20,000');
  await page.locator('[data-action="deposit"][data-sub="0"]').click();
  await expect(page.getByTestId('collateral-0')).toHaveText('$20,000.00');

  // Isolated BTC: the order can lose at most its margin, less the fee; nothing is signed yet.
  await page.getByRole('button', { name: 'Sign and send' }).isDisabled();
  await fillTicket(page, { market: 'BTC-PERP', mode: 'isolated', margin: '1,100', size: '0.1', leverage: '5' });
  const fee = money(await page.getByTestId('p-fee').innerText());
  expect(fee).toBeGreaterThan(0);
  await expect(page.getByTestId('p-max-loss')).toContainText('(the isolated margin)');
  // Both shown truncated to cents: they agree within a cent.
  expect(Math.abs(money(await page.getByTestId('p-max-loss').innerText()) - (1_100 - fee))).toBeLessThanOrEqual(0.011);
  const fill = money(await page.getByTestId('p-fill').innerText());
  expect(money(await page.getByTestId('p-margin').innerText())).toBeCloseTo((0.1 * fill) / 5 + fee, 0);
  const previewedLiquidation = money(await page.getByTestId('p-liquidation').innerText());
  expect(previewedLiquidation).toBeLessThan(fill);
  await expect(page.getByTestId('p-initial')).toHaveText('met');
  await page.screenshot({ path: info.outputPath('order-ticket.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toHaveText('Opened long 0.1 BTC-PERP (isolated).');
  const liquidation = page.getByTestId('liquidation-1-BTC-PERP');
  await expect(liquidation).toContainText('$');
  // The position's liquidation price is the preview's, give or take the fill's drift.
  expect(Math.abs(money(await liquidation.innerText()) - previewedLiquidation) / previewedLiquidation).toBeLessThan(0.01);

  // Cross ETH from the $20,000 sub-account.
  await fillTicket(page, { market: 'ETH-PERP', mode: 'cross', size: '20', leverage: '5' });
  await expect(page.getByTestId('p-max-loss')).toContainText('(the whole cross sub-account)');
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.getByTestId('position-0-ETH-PERP')).toBeVisible();
  await expect(page.getByTestId('liquidation-0-ETH-PERP')).toContainText('$');
  await page.screenshot({ path: info.outputPath('positions.png'), fullPage: true });

  // The demo's ETH −10% lowers the cross account's margin ratio.
  const before = await page.getByTestId('ratio-0').innerText();
  await page.getByRole('button', { name: 'ETH −10%' }).click();
  await expect(page.getByTestId('ratio-0')).not.toHaveText(before);
  expect(money(await page.getByTestId('ratio-0').innerText())).toBeLessThan(money(before));

  // Close the ETH position: the page asks first, with the expected fill and realized PnL.
  await page.getByRole('button', { name: 'close ETH-PERP in #0…' }).click();
  await expect(page.getByTestId('confirm-0-ETH-PERP')).toContainText('realized PnL about');
  await page.getByRole('button', { name: 'confirm close of ETH-PERP in #0' }).click();
  await expect(page.getByTestId('position-0-ETH-PERP')).toHaveCount(0);

  // The indexer's history lists the two opens and the close, newest first, with the close's
  // realized PnL in dollars.
  const kinds = page.getByTestId('history').getByTestId('fill-kind');
  await expect(kinds).toHaveText(['close', 'open', 'open'], { timeout: 15_000 });
  await expect(page.getByTestId('history').getByTestId('fill-pnl').first()).toContainText('$');
  await page.screenshot({ path: info.outputPath('history.png'), fullPage: true });

  // 50x is above BTC's 40x: refused at the field, in words, and nothing can be sent.
  await fillTicket(page, { market: 'BTC-PERP', mode: 'cross', size: '0.01', leverage: '50' });
  await expect(page.getByTestId('error-t-leverage')).toHaveText("Leverage: a whole number from 1 to 40 (this market's maximum).");
  await expect(page.getByRole('button', { name: 'Sign and send' })).toBeDisabled();
  await page.screenshot({ path: info.outputPath('refused-order.png'), fullPage: true });

  // The price runs 5% away between the preview and the signature: the preview follows it (it
  // is recomputed on every refresh), so the order is sent at the new price, not refused.
  await fillTicket(page, { market: 'BTC-PERP', mode: 'cross', size: '0.01', leverage: '5' });
  const previewed = money(await page.getByTestId('p-fill').innerText());
  await page.getByRole('button', { name: 'BTC +5%' }).click();
  await expect(page.locator('#message')).toHaveText('Demo: moved BTC-PERP by 5%.');
  await expect.poll(async () => money(await page.getByTestId('p-fill').innerText())).toBeGreaterThan(previewed * 1.04);
  // The move liquidates demo positions within a slot, and each changes the skew premium: send
  // once two refreshes agree on the fill to 0.1%, as a trader would after a jump.
  let last = 0;
  await expect
    .poll(
      async () => {
        const fill = money(await page.getByTestId('p-fill').innerText());
        const steady = Math.abs(fill / last - 1) < 0.001;
        last = fill;
        return steady;
      },
      { intervals: [3_500], timeout: 60_000 },
    )
    .toBe(true);
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toHaveText('Opened long 0.01 BTC-PERP (cross).');

  // What only the program can refuse is said in words: a withdrawal above the free collateral.
  await page.getByTestId('amount-0').fill('1,000,000');
  await page.locator('[data-action="withdraw"][data-sub="0"]').click();
  await expect(page.locator('#message')).toHaveText('InsufficientFreeCollateral: The amount is more than the free collateral');
});
