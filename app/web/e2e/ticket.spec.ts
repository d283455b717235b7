// The ticket cannot mislead (issue 21): typing survives the 3-second refresh, bad numbers are
// refused at their field, amounts above the wallet are refused in words, triggers on the wrong
// side are refused, an order the program would refuse cannot be sent, and the page fits a phone.
import { expect, test } from '@playwright/test';

test('the ticket refuses bad input at the field and keeps what is typed', async ({ page }, info) => {
  await page.goto('/?wallet=trader-1');
  await page.getByRole('button', { name: 'Ringfence burner (trader-1)' }).click();
  await expect(page.getByTestId('sub-0')).toBeVisible();

  // Typed at human speed, the amount and the focus survive two refreshes.
  const amount = page.getByTestId('amount-0');
  await amount.click();
  await amount.pressSequentially('1500', { delay: 300 });
  await page.waitForTimeout(7_000);
  await expect(amount).toHaveValue('1500');
  await expect(amount).toBeFocused();

  // trader-1's wallet is empty: a deposit is refused in words, not with an RPC blob.
  await page.locator('[data-action="deposit"][data-sub="0"]').click();
  await expect(page.getByTestId('error-amount-0')).toHaveText('Deposit into #0: your wallet holds $0.00.');
  await expect(page.locator('#message')).not.toContainText('Decode');

  await page.locator('#t-market').selectOption({ label: 'BTC-PERP' });
  await expect(page.getByTestId('leverage-max')).toHaveText('40');
  await page.locator('input[name="t-side"][value="long"]').check();
  const preview = page.getByRole('button', { name: 'Preview' });
  const send = page.getByRole('button', { name: 'Sign and send' });

  // Isolated margin beyond the wallet.
  await page.locator('input[name="t-mode"][value="isolated"]').check();
  await page.locator('#t-margin').fill('999,999,999');
  await page.locator('#t-size').fill('0.01');
  await page.locator('#t-leverage').fill('10');
  await preview.click();
  await expect(page.getByTestId('error-t-margin')).toContainText('your wallet holds $0.00');
  await expect(send).toBeDisabled();

  // Cross from #0 from here on. "0x10" and "1e1" are not leverages.
  await page.locator('input[name="t-mode"][value="cross"]').check();
  for (const bad of ['0x10', '1e1']) {
    await page.locator('#t-leverage').fill(bad);
    await preview.click();
    await expect(page.getByTestId('error-t-leverage')).toContainText('a whole number from 1 to 40');
    await expect(send).toBeDisabled();
  }
  await page.locator('#t-leverage').fill('10');

  // A stop-loss that is not a price, and one above a long's mark.
  for (const [stop, reason] of [['abc', 'a price in dollars'], ['2,8OO', 'a price in dollars'], ['1,000,000', 'below the mark']]) {
    await page.locator('#t-stop').fill(stop);
    await preview.click();
    await expect(page.getByTestId('error-t-stop')).toContainText(reason);
    await expect(send).toBeDisabled();
  }
  await page.locator('#t-stop').fill('');

  // 10 BTC at 10x needs ~$45,000 of initial margin; #0 holds ~$4,000: previewed as refused,
  // and Sign and send stays disabled with the reason in words.
  await page.locator('#t-size').fill('10');
  await preview.click();
  await expect(page.getByTestId('p-initial')).toContainText('not met');
  await expect(send).toBeDisabled();
  await expect(page.getByTestId('send-reason')).toContainText('would not meet initial margin');
  await page.screenshot({ path: info.outputPath('refused-at-the-ticket.png'), fullPage: true });

  // A sendable order enables it.
  await page.locator('#t-size').fill('0.001');
  await preview.click();
  await expect(page.getByTestId('p-initial')).toHaveText('met');
  await expect(send).toBeEnabled();
});

test('on a phone the ticket comes first and nothing overflows', async ({ page }, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/?wallet=trader-1');
  await page.getByRole('button', { name: 'Ringfence burner (trader-1)' }).click();
  await expect(page.getByTestId('sub-0')).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  const ticket = await page.locator('#ticket').boundingBox();
  const accounts = await page.locator('#accounts').boundingBox();
  expect(ticket!.y).toBeLessThan(accounts!.y);
  await page.screenshot({ path: info.outputPath('phone.png'), fullPage: true });
});
