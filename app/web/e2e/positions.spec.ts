// Managing positions (issue 21): a partial close asks for confirmation with the expected fill
// and realized PnL, then leaves the rest; SL/TP are edited on the open position, shown on it,
// and refused on the wrong side of the mark; the distance to liquidation is shown; when the
// demo's BTC +5% fires the long's take-profit and liquidates a 40x short, both produce a notice.
// A close by size leaves exactly the rest and is refused at its field above the position; an
// isolated sub-account's margin moves from and to the cross sub-account chosen for it.
import { expect, test, type Page } from '@playwright/test';

const money = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));
/** A size as the page shows it ("0.03") in base atoms (9 decimals), and back: exact arithmetic. */
const atoms = (text: string) => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
};
const units = (a: bigint) => `${a / 1_000_000_000n}${a % 1_000_000_000n ? `.${(a % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')}` : ''}`;
/** Cents shown as the page shows dollars ("$1,234.56"). */
const cents = (text: string) => Math.round(money(text) * 100);
const dollars = (c: number) => `$${(c / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

async function order(page: Page, o: { mode: 'cross' | 'isolated'; side: 'long' | 'short'; size: string; leverage: string; cross?: string; margin?: string }) {
  await page.locator('#t-market').selectOption({ label: 'BTC-PERP' });
  await page.locator('input[name="t-type"][value="market"]').check();
  await page.locator(`input[name="t-mode"][value="${o.mode}"]`).check();
  if (o.cross) await page.locator('#t-cross').selectOption(o.cross);
  if (o.margin) await page.locator('#t-margin').fill(o.margin);
  await page.locator(`input[name="t-side"][value="${o.side}"]`).check();
  await page.locator('#t-size').fill(o.size);
  await page.locator('#t-leverage').fill(o.leverage);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Sign and send' }).click();
  await expect(page.locator('#message')).toContainText(`Opened ${o.side} ${o.size} BTC-PERP (${o.mode})`);
}

test('partial close with confirmation, SL/TP on the position, notices of a fired trigger and a liquidation', async ({ page }, info) => {
  await page.goto('/?wallet=trader-2');
  await page.getByRole('button', { name: 'Ringfence burner (trader-2)' }).click();
  await expect(page.getByTestId('owner')).toBeVisible();

  // A fresh cross sub-account with $5,000 and a long of 0.5 BTC at 10x (about $25,000).
  await page.getByRole('button', { name: 'new cross sub-account' }).click();
  await expect(page.locator('#message')).toContainText('Created cross sub-account #');
  const id = (await page.locator('#message').innerText()).match(/#(\d+)/)![1];
  await page.getByTestId(`amount-${id}`).fill('5,000');
  await page.locator(`[data-action="deposit"][data-sub="${id}"]`).click();
  await expect(page.getByTestId(`collateral-${id}`)).toHaveText('$5,000.00');
  await order(page, { mode: 'cross', cross: id, side: 'long', size: '0.5', leverage: '10' });
  const at = `${id}-BTC-PERP`;
  await expect(page.getByTestId(`size-${at}`)).toHaveText('0.5');
  await expect(page.getByTestId(`distance-${at}`)).toContainText('%');

  // Close half: the confirmation names the size and the realized PnL it expects. By hand:
  // 0.25 × (mark − entry) less the 5 bps fee on ~$12,500, within the 10 bps premium cap.
  await page.locator(`#close-pct-${at}`).fill('50');
  await page.getByRole('button', { name: `close BTC-PERP in #${id}…` }).click();
  const confirm = page.getByTestId(`confirm-${at}`);
  await expect(confirm).toContainText('Close 0.25 BTC-PERP');
  // Entry, mark and the confirmation read together: all three come from the same refresh.
  const read = await page.evaluate((at) => {
    const cells = document.querySelectorAll(`[data-testid="position-${at}"] td`);
    return [cells[3].textContent, cells[4].textContent, document.querySelector(`[data-testid="confirm-pnl-${at}"]`)!.textContent];
  }, at);
  const [entry, mark, pnl] = read.map((t) => money(t ?? ''));
  const expected = 0.25 * (mark - entry) - 0.0005 * 0.25 * mark;
  expect(Math.abs(pnl - expected)).toBeLessThan(0.001 * 0.25 * mark + 0.02);
  await page.screenshot({ path: info.outputPath('close-confirmation.png'), fullPage: true });
  await page.getByRole('button', { name: `confirm close of BTC-PERP in #${id}` }).click();
  await expect(page.locator('#message')).toContainText(`Closed 0.25 BTC-PERP in #${id}`);
  await expect(page.getByTestId(`size-${at}`)).toHaveText('0.25');

  // SL/TP on the open position: a stop above a long's mark is refused at its field; a take-profit
  // 1% above the mark and a stop 10% below are set and shown on the position.
  const now = money(await page.getByTestId('mark-BTC-PERP').innerText());
  await page.locator(`#sl-${at}`).fill(String(Math.round(now * 1.02)));
  await page.getByRole('button', { name: `set SL/TP of BTC-PERP in #${id}` }).click();
  await expect(page.getByTestId(`error-sl-${at}`)).toContainText('below the mark');
  const take = Math.round(now * 1.01);
  await page.locator(`#sl-${at}`).fill(String(Math.round(now * 0.9)));
  await page.locator(`#tp-${at}`).fill(String(take));
  await page.getByRole('button', { name: `set SL/TP of BTC-PERP in #${id}` }).click();
  await expect(page.getByTestId(`tp-now-${at}`)).toHaveText(`$${take.toLocaleString('en-US')}.00`);

  // An isolated 40x short with $70 behind 0.05 BTC: liquidated about 2.3% above the mark.
  await order(page, { mode: 'isolated', side: 'short', size: '0.05', leverage: '40', margin: '70' });

  // BTC +5%: the keeper fires the take-profit and liquidates the short; the page says both.
  await page.getByRole('button', { name: 'BTC +5%' }).click();
  await expect(page.getByTestId('notice-trigger')).toContainText(`fired on #${id}`, { timeout: 45_000 });
  await expect(page.getByTestId('notice-liquidation')).toContainText('was liquidated', { timeout: 45_000 });
  await expect(page.getByTestId(`position-${at}`)).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('notices.png'), fullPage: true });

  // The history's tabs: the liquidation is listed, and the realized PnL has a total.
  await page.getByRole('tab', { name: 'Liquidations' }).click();
  await expect(page.getByTestId('history-liquidations')).toContainText('BTC-PERP');
  await page.getByRole('tab', { name: 'Realized PnL' }).click();
  await expect(page.getByTestId('history-pnl')).toContainText('total');
});

test('an order placed with the keyboard alone, in the tab order of the ticket', async ({ page }) => {
  await page.goto('/?wallet=trader-2');
  await page.getByRole('button', { name: 'Ringfence burner (trader-2)' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('owner')).toBeVisible();
  await expect(page.locator('#t-cross option')).not.toHaveCount(0);

  await page.locator('#t-market').focus(); // BTC-PERP, the first market
  const tab = async (expected: string) => {
    await page.keyboard.press('Tab');
    await expect(page.locator(expected)).toBeFocused();
  };
  await tab('input[name="t-type"][value="market"]');
  await tab('input[name="t-mode"][value="cross"]');
  await page.keyboard.press('Space');
  await tab('#t-cross');
  // The newest cross sub-account: the one the test above funded.
  await page.keyboard.press('End');
  await tab('input[name="t-side"][value="long"]');
  await page.keyboard.press('Space');
  await tab('#t-size');
  await page.keyboard.type('0.01');
  await tab('#t-size-unit');
  await tab('#t-max');
  await tab('#t-leverage');
  await page.keyboard.type('10');
  await tab('#t-stop');
  await tab('#t-take');
  await tab('#t-preview');
  await page.keyboard.press('Enter');
  await expect(page.locator('#t-send')).toBeEnabled();
  await tab('#t-send');
  await page.keyboard.press('Enter');
  await expect(page.locator('#message')).toContainText('Opened long 0.01 BTC-PERP (cross)');
});

test('size in dollars of notional, and Max finds the largest size the program accepts', async ({ page }) => {
  await page.goto('/?wallet=trader-2');
  await page.getByRole('button', { name: 'Ringfence burner (trader-2)' }).click();
  await expect(page.locator('#t-cross option')).not.toHaveCount(0);
  await page.locator('#t-market').selectOption({ label: 'ETH-PERP' });
  await page.locator('input[name="t-mode"][value="cross"]').check();
  await page.locator('#t-cross').selectOption({ index: (await page.locator('#t-cross option').count()) - 1 });
  await page.locator('input[name="t-side"][value="long"]').check();
  await page.locator('#t-leverage').fill('10');

  // $1,000 of notional at 10x: margin moved $100 plus the 5 bps fee ($0.50), and at most $0.10
  // more or less for the skew premium (at most 10 bps either way) on the fill.
  await page.locator('#t-size-unit').selectOption('usd');
  await page.locator('#t-size').fill('1,000');
  await page.getByRole('button', { name: 'Preview' }).click();
  const margin = money(await page.getByTestId('p-margin').innerText());
  expect(margin).toBeGreaterThan(100.38);
  expect(margin).toBeLessThan(100.62);

  // Max in units: that size meets initial margin, 1% more does not.
  await page.locator('#t-size-unit').selectOption('units');
  await page.getByRole('button', { name: 'Max' }).click();
  await expect(page.locator('#t-size')).not.toHaveValue('1,000');
  await expect(page.getByTestId('p-initial')).toHaveText('met');
  const max = Number(await page.locator('#t-size').inputValue());
  expect(max).toBeGreaterThan(0);
  await page.locator('#t-size').fill((max * 1.01).toFixed(9));
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('p-initial')).toContainText('not met');
  await expect(page.getByRole('button', { name: 'Sign and send' })).toBeDisabled();

  // Disconnecting leaves nothing of the wallet on the page.
  await page.getByRole('button', { name: 'disconnect' }).click();
  await expect(page.locator('#accounts')).toHaveText('Connect a wallet to see your sub-accounts.');
  await expect(page.getByTestId('owner')).toHaveCount(0);
});

// Last in this file: the tests above trade trader-2's newest cross sub-account, and this one makes a newer one.
test('a close by size leaves exactly the rest; margin moves from the chosen cross sub-account', async ({ page }, info) => {
  await page.goto('/?wallet=trader-2');
  await page.getByRole('button', { name: 'Ringfence burner (trader-2)' }).click();
  await expect(page.getByTestId('owner')).toBeVisible();

  // A further cross sub-account (trader-2 has #0 and the first test's) with $1,000 and no
  // position, so funding never changes its collateral.
  await page.getByRole('button', { name: 'new cross sub-account' }).click();
  await expect(page.locator('#message')).toContainText('Created cross sub-account #');
  const cross = (await page.locator('#message').innerText()).match(/#(\d+)/)![1];
  await page.getByTestId(`amount-${cross}`).fill('1,000');
  await page.locator(`[data-action="deposit"][data-sub="${cross}"]`).click();
  await expect(page.getByTestId(`collateral-${cross}`)).toHaveText('$1,000.00');

  // An isolated long of 0.03 BTC at 5x with $500, in the next sub-account.
  await order(page, { mode: 'isolated', side: 'long', size: '0.03', leverage: '5', margin: '500' });
  const iso = String(Number(cross) + 1);
  const at = `${iso}-BTC-PERP`;
  await expect(page.getByTestId(`size-${at}`)).toHaveText('0.03');

  // Its margin select lists the cross sub-accounts, the first (#0) chosen by default; the
  // buttons follow the choice.
  const select = page.getByLabel(`cross sub-account for the margin of #${iso}`);
  await expect(select).toHaveValue('0');
  await expect(page.getByRole('button', { name: `add margin to #${iso} from #0` })).toBeVisible();
  await select.selectOption(cross);
  const add = page.getByRole('button', { name: `add margin to #${iso} from #${cross}` });
  const remove = page.getByRole('button', { name: `remove margin from #${iso} to #${cross}` });
  await expect(add).toBeVisible();
  await expect(remove).toBeVisible();

  // Refused at the field: more than the position, and a negative size; nothing to confirm.
  const field = page.getByLabel(`close size of BTC-PERP in #${iso}, in BTC`);
  const closeSize = page.getByRole('button', { name: `close size of BTC-PERP in #${iso}…` });
  await field.fill('0.04');
  await closeSize.click();
  await expect(page.getByTestId(`error-close-size-${at}`)).toHaveText('Close size: at most the position, 0.03 BTC.');
  await expect(page.getByTestId(`confirm-${at}`)).toHaveCount(0);
  await field.fill('-0.01');
  await closeSize.click();
  await expect(page.getByTestId(`error-close-size-${at}`)).toHaveText('Close size: a number of units above zero, like 0.2.');
  await expect(page.getByTestId(`confirm-${at}`)).toHaveCount(0);

  // A refresh keeps the typed size and the chosen cross sub-account.
  const typed = '0.01';
  await field.fill(typed);
  await page.waitForTimeout(3_500);
  await expect(field).toHaveValue(typed);
  await expect(select).toHaveValue(cross);

  // 0.01 by size: the confirmation names it; afterwards the position is the size before less
  // the size typed, to the atom.
  const before = await page.getByTestId(`size-${at}`).innerText();
  await closeSize.click();
  await expect(page.getByTestId(`confirm-${at}`)).toContainText(`Close ${typed} BTC-PERP of #${iso}`);
  await expect(page.getByTestId(`confirm-pnl-${at}`)).toContainText('$');
  await page.getByTestId(`sub-${iso}`).screenshot({ path: info.outputPath('close-by-size.png') });
  await page.getByRole('button', { name: `confirm close of BTC-PERP in #${iso}` }).click();
  await expect(page.locator('#message')).toContainText(`Closed ${typed} BTC-PERP in #${iso}`);
  await expect(page.getByTestId(`size-${at}`)).toHaveText(units(atoms(before) - atoms(typed)));

  // The rest, typed as a size, is a whole close: the position is gone, its collateral stays.
  const rest = await page.getByTestId(`size-${at}`).innerText();
  await field.fill(rest);
  await closeSize.click();
  await expect(page.getByTestId(`confirm-${at}`)).toContainText(`Close ${rest} BTC-PERP of #${iso}`);
  await page.getByRole('button', { name: `confirm close of BTC-PERP in #${iso}` }).click();
  await expect(page.locator('#message')).toContainText(`Closed ${rest} BTC-PERP in #${iso}`);
  await expect(page.getByTestId(`position-${at}`)).toHaveCount(0);

  // $100 in from the chosen cross sub-account, $40 back to it: each moves by exactly that
  // (neither holds a position now, so nothing else changes their collateral).
  await expect(select).toHaveValue(cross);
  const crossCollateral = page.getByTestId(`collateral-${cross}`);
  const isoCollateral = page.getByTestId(`collateral-${iso}`);
  const [crossBefore, isoBefore] = [cents(await crossCollateral.innerText()), cents(await isoCollateral.innerText())];
  await page.getByTestId(`amount-${iso}`).fill('100');
  await add.click();
  await expect(page.locator('#message')).toHaveText(`Moved $100.00 from #${cross} into #${iso}.`);
  await expect(crossCollateral).toHaveText(dollars(crossBefore - 10_000));
  await expect(isoCollateral).toHaveText(dollars(isoBefore + 10_000));
  await page.getByTestId(`amount-${iso}`).fill('40');
  await remove.click();
  await expect(page.locator('#message')).toHaveText(`Moved $40.00 out of #${iso} into #${cross}.`);
  await expect(crossCollateral).toHaveText(dollars(crossBefore - 6_000));
  await expect(isoCollateral).toHaveText(dollars(isoBefore + 6_000));
});
