//! Deposits and withdrawals: real SPL tokens and the ledgers move by the same amounts; every
//! bad input gets its named error and moves nothing.

use anchor_lang::error::ErrorCode as AnchorError;
use ringfence::error::RingfenceError;
use ringfence::state::Position;
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::{anchor_error, assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

/// A long of `base` atoms entered at `entry_dollars` with `leverage`, in market `market`.
fn long(market_index: u16, base: i64, entry_dollars: i64, leverage: u16) -> Position {
    Position {
        base,
        quote_entry: -(base / 1_000) * entry_dollars,
        market_index,
        leverage,
        ..Position::default()
    }
}

fn margin_accounts(markets: &[u16]) -> Vec<Pubkey> {
    markets
        .iter()
        .flat_map(|&i| [builders::market_pda(i), builders::stub_oracle_pda(i)])
        .collect()
}

async fn withdraw_with(
    h: &mut Harness,
    wallet: &Wallet,
    sub_account: &Pubkey,
    amount: u64,
    accounts: &[Pubkey],
) -> Result<(), solana_sdk::transaction::TransactionError> {
    let ix = builders::withdraw(&wallet.key(), sub_account, &wallet.token, amount, accounts);
    h.process(&[ix], &[&wallet.keypair]).await
}

#[tokio::test]
async fn deposit_and_withdraw_move_tokens_and_collateral_by_the_same_amount() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(1_000).await;
    let (other, other_sub) = h.trader(1_000).await;

    h.deposit(&trader, &sub_account, 250 * USD).await.unwrap();
    h.deposit(&other, &other_sub, 40 * USD).await.unwrap();
    assert_eq!(h.token_balance(&trader.token).await, 750 * USD);
    assert_eq!(h.token_balance(&builders::vault_pda()).await, 290 * USD);
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        250 * USD as i64
    );

    h.withdraw(&trader, &sub_account, 100 * USD).await.unwrap();
    assert_eq!(h.token_balance(&trader.token).await, 850 * USD);
    assert_eq!(h.token_balance(&builders::vault_pda()).await, 190 * USD);
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        150 * USD as i64
    );
    assert_eq!(h.sub_account(&other_sub).await.collateral, 40 * USD as i64);

    // Withdrawing everything, to the last native unit, is allowed.
    h.withdraw(&trader, &sub_account, 150 * USD).await.unwrap();
    assert_eq!(h.token_balance(&trader.token).await, 1_000 * USD);
}

#[tokio::test]
async fn zero_amounts_are_refused() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(10).await;
    assert_error(
        h.deposit(&trader, &sub_account, 0).await,
        RingfenceError::ZeroAmount,
    );
    h.deposit(&trader, &sub_account, USD).await.unwrap();
    assert_error(
        h.withdraw(&trader, &sub_account, 0).await,
        RingfenceError::ZeroAmount,
    );
}

#[tokio::test]
async fn withdrawing_more_than_free_collateral_is_refused_and_changes_nothing() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(1_000).await;
    h.deposit(&trader, &sub_account, 100 * USD).await.unwrap();
    let watched = [sub_account, trader.token, builders::vault_pda()];
    let before = h.snapshot(&watched).await;

    assert_error(
        h.withdraw(&trader, &sub_account, 100 * USD + 1).await,
        RingfenceError::InsufficientFreeCollateral,
    );
    assert_error(
        h.withdraw(&trader, &sub_account, u64::MAX).await,
        RingfenceError::InsufficientFreeCollateral,
    );
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn a_deposit_too_large_for_the_ledger_is_an_overflow_not_a_wrap() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(1).await;
    let before = h.snapshot(&[sub_account, trader.token]).await;
    assert_error(
        h.deposit(&trader, &sub_account, u64::MAX).await,
        RingfenceError::MathOverflow,
    );
    assert_eq!(h.snapshot(&[sub_account, trader.token]).await, before);
}

#[tokio::test]
async fn unrealized_profit_is_never_withdrawable_and_what_stays_covers_initial_margin() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 51_000).await;
    let (trader, sub_account) = h.trader(1_000).await;
    h.deposit(&trader, &sub_account, 1_000 * USD).await.unwrap();
    // Long 0.2 BTC from 50,000 at 20x, now marked at 51,000: +$200 unrealized.
    h.inject_position(&sub_account, 0, long(btc, BASE_UNIT / 5, 50_000, 20))
        .await;
    let accounts = margin_accounts(&[btc]);

    // IM = 0.2 × 51,000 / 20 = $510; profit not counted: free = 1,000 − 510 = $490.
    let result = withdraw_with(&mut h, &trader, &sub_account, 490 * USD + 1, &accounts).await;
    assert_error(result, RingfenceError::InsufficientFreeCollateral);
    withdraw_with(&mut h, &trader, &sub_account, 490 * USD, &accounts)
        .await
        .unwrap();
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        510 * USD as i64
    );
}

#[tokio::test]
async fn unrealized_loss_reduces_what_can_be_withdrawn() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 49_000).await;
    let (trader, sub_account) = h.trader(1_000).await;
    h.deposit(&trader, &sub_account, 1_000 * USD).await.unwrap();
    h.inject_position(&sub_account, 0, long(btc, BASE_UNIT / 5, 50_000, 20))
        .await;
    let accounts = margin_accounts(&[btc]);

    // Loss $200; IM = 0.2 × 49,000 / 20 = $490: free = 1,000 − 200 − 490 = $310.
    let result = withdraw_with(&mut h, &trader, &sub_account, 310 * USD + 1, &accounts).await;
    assert_error(result, RingfenceError::InsufficientFreeCollateral);
    withdraw_with(&mut h, &trader, &sub_account, 310 * USD, &accounts)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_margin_check_wants_exactly_the_markets_of_the_positions() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let eth = h.stub_market("ETH-PERP", eth_params(), 3_000).await;
    let sol = h.stub_market("SOL-PERP", eth_params(), 150).await;
    let (trader, sub_account) = h.trader(1_000).await;
    h.deposit(&trader, &sub_account, 1_000 * USD).await.unwrap();
    h.inject_position(&sub_account, 0, long(btc, BASE_UNIT / 100, 50_000, 10))
        .await;
    h.inject_position(&sub_account, 1, long(eth, BASE_UNIT / 10, 3_000, 10))
        .await;
    let watched = [sub_account, trader.token, builders::vault_pda()];
    let before = h.snapshot(&watched).await;
    let (btc_market, btc_oracle) = (builders::market_pda(btc), builders::stub_oracle_pda(btc));
    let (eth_market, eth_oracle) = (builders::market_pda(eth), builders::stub_oracle_pda(eth));

    let cases = [
        ("none", vec![], RingfenceError::MissingMarketAccount),
        (
            "losing market omitted",
            vec![btc_market, btc_oracle],
            RingfenceError::MissingMarketAccount,
        ),
        (
            "one too many",
            [margin_accounts(&[btc, eth]), vec![btc_market]].concat(),
            RingfenceError::UnexpectedMarketAccount,
        ),
        (
            "same market twice",
            vec![btc_market, btc_oracle, btc_market, btc_oracle],
            RingfenceError::DuplicateMarketAccount,
        ),
        (
            "a market with no position",
            margin_accounts(&[btc, sol]),
            RingfenceError::UnexpectedMarketAccount,
        ),
        (
            "another market's oracle",
            vec![btc_market, eth_oracle, eth_market, eth_oracle],
            RingfenceError::OracleAccountMismatch,
        ),
        (
            "oracle in the market's place",
            vec![btc_oracle, btc_market, eth_market, eth_oracle],
            RingfenceError::InvalidMarketAccount,
        ),
    ];
    for (case, accounts, error) in cases {
        let result = withdraw_with(&mut h, &trader, &sub_account, USD, &accounts).await;
        assert_eq!(result, Err(ringfence_tests::program_error(error)), "{case}");
        assert_eq!(h.snapshot(&watched).await, before, "{case}");
    }
    // Any order of the right pairs is accepted.
    withdraw_with(
        &mut h,
        &trader,
        &sub_account,
        USD,
        &margin_accounts(&[eth, btc]),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_stale_oracle_blocks_withdrawals_from_its_holders_but_never_deposits() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let (holder, holder_sub) = h.trader(1_000).await;
    let (bystander, bystander_sub) = h.trader(1_000).await;
    h.deposit(&holder, &holder_sub, 500 * USD).await.unwrap();
    h.deposit(&bystander, &bystander_sub, 500 * USD)
        .await
        .unwrap();
    h.inject_position(&holder_sub, 0, long(btc, BASE_UNIT / 100, 50_000, 10))
        .await;
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + 61).await;

    let result = withdraw_with(&mut h, &holder, &holder_sub, USD, &margin_accounts(&[btc])).await;
    assert_error(result, RingfenceError::OracleStale);
    h.deposit(&holder, &holder_sub, USD).await.unwrap();
    h.withdraw(&bystander, &bystander_sub, USD).await.unwrap();
}

#[tokio::test]
async fn nobody_moves_collateral_of_someone_elses_sub_account() {
    let mut h = Harness::new().await;
    let (victim, victim_sub) = h.trader(100).await;
    let (attacker, _) = h.trader(100).await;
    h.deposit(&victim, &victim_sub, 50 * USD).await.unwrap();
    let watched = [
        victim_sub,
        victim.token,
        attacker.token,
        builders::vault_pda(),
    ];
    let before = h.snapshot(&watched).await;

    let ix = builders::withdraw(&attacker.key(), &victim_sub, &attacker.token, USD, &[]);
    assert_error(
        h.process(&[ix], &[&attacker.keypair]).await,
        RingfenceError::NotOwner,
    );
    let ix = builders::deposit(&attacker.key(), &victim_sub, &attacker.token, USD);
    assert_error(
        h.process(&[ix], &[&attacker.keypair]).await,
        RingfenceError::NotOwner,
    );

    // Naming the victim as owner without the victim's signature.
    let mut ix = builders::withdraw(&victim.key(), &victim_sub, &attacker.token, USD, &[]);
    ix.accounts[0].is_signer = false;
    let result = h.process(&[ix], &[]).await;
    assert_eq!(result, Err(anchor_error(AnchorError::AccountNotSigner)));
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn a_deposit_must_come_from_the_signers_own_token_account() {
    let mut h = Harness::new().await;
    let (victim, _) = h.trader(100).await;
    let (attacker, attacker_sub) = h.trader(0).await;
    let ix = builders::deposit(&attacker.key(), &attacker_sub, &victim.token, USD);
    let result = h.process(&[ix], &[&attacker.keypair]).await;
    assert_error(result, RingfenceError::TokenAccountNotOwned);
    assert_eq!(h.token_balance(&victim.token).await, 100 * USD);
}

#[tokio::test]
async fn a_vault_that_is_not_the_exchanges_is_refused() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(100).await;
    let mint = h.mint;
    let fake_vault = h.token_account(&trader.key(), &mint).await;
    let ix =
        builders::deposit_with_vault(&trader.key(), &sub_account, &trader.token, &fake_vault, USD);
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::InvalidVault,
    );
    assert_eq!(h.sub_account(&sub_account).await.collateral, 0);
}

#[tokio::test]
async fn token_accounts_of_another_mint_are_refused() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(100).await;
    h.deposit(&trader, &sub_account, 10 * USD).await.unwrap();
    let other_mint = h.create_mint(6).await;
    let foreign = h.token_account(&trader.key(), &other_mint).await;

    let ix = builders::deposit(&trader.key(), &sub_account, &foreign, USD);
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::WrongMint,
    );
    let ix = builders::withdraw(&trader.key(), &sub_account, &foreign, USD, &[]);
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::WrongMint,
    );
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        10 * USD as i64
    );
}

#[tokio::test]
async fn an_arbitrary_program_in_the_token_program_slot_is_refused() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(100).await;
    h.deposit(&trader, &sub_account, 10 * USD).await.unwrap();
    let mut ix = builders::withdraw(&trader.key(), &sub_account, &trader.token, USD, &[]);
    ix.accounts[5].pubkey = solana_system_interface::program::ID;
    let result = h.process(&[ix], &[&trader.keypair]).await;
    assert_eq!(result, Err(anchor_error(AnchorError::InvalidProgramId)));
    assert_eq!(h.token_balance(&trader.token).await, 90 * USD);
}
