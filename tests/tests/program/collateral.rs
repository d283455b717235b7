//! Deposits and withdrawals: real SPL tokens and the ledgers move by the same amounts.

use ringfence::error::RingfenceError;
use ringfence_tests::params::USD;
use ringfence_tests::{assert_error, builders, Harness};

#[tokio::test]
async fn deposit_and_withdraw_move_tokens_and_collateral_by_the_same_amount() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(1_000).await;

    h.deposit(&trader, &sub_account, 250 * USD).await.unwrap();
    assert_eq!(h.token_balance(&trader.token).await, 750 * USD);
    assert_eq!(h.token_balance(&builders::vault_pda()).await, 250 * USD);
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        250 * USD as i64
    );

    h.withdraw(&trader, &sub_account, 100 * USD).await.unwrap();
    assert_eq!(h.token_balance(&trader.token).await, 850 * USD);
    assert_eq!(h.token_balance(&builders::vault_pda()).await, 150 * USD);
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        150 * USD as i64
    );
}

#[tokio::test]
async fn withdrawing_more_than_free_collateral_is_refused_and_changes_nothing() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(1_000).await;
    h.deposit(&trader, &sub_account, 100 * USD).await.unwrap();
    let watched = [sub_account, trader.token, builders::vault_pda()];
    let before = h.snapshot(&watched).await;

    let result = h.withdraw(&trader, &sub_account, 100 * USD + 1).await;

    assert_error(result, RingfenceError::InsufficientFreeCollateral);
    assert_eq!(h.snapshot(&watched).await, before);
}
