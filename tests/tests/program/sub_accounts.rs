//! Users and sub-accounts: ids, modes, sizes, keeper offsets, closing.

use ringfence::error::RingfenceError;
use ringfence::state::{
    SubAccountMode, SUB_ACCOUNT_HAS_POSITIONS_OFFSET, SUB_ACCOUNT_MODE_OFFSET,
    SUB_ACCOUNT_OWNER_OFFSET,
};
use ringfence_tests::params::{btc_params, USD};
use ringfence_tests::{anchor_error, assert_error, builders, program_error, Harness};
use solana_sdk::account::Account;

#[tokio::test]
async fn a_user_gets_cross_and_isolated_sub_accounts_at_fixed_sizes_and_offsets() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let trader = h.wallet(0).await;
    h.create_user(&trader).await;
    let cross = h.create_sub_account(&trader, SubAccountMode::Cross).await;
    let isolated = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: btc })
        .await;
    assert_eq!(cross, builders::sub_account_pda(&trader.key(), 0));
    assert_eq!(isolated, builders::sub_account_pda(&trader.key(), 1));

    // 8 discriminator bytes + 104 header bytes + 72 per position slot + 48 per order slot.
    let cross_account = h.account(&cross).await.unwrap();
    let isolated_account = h.account(&isolated).await.unwrap();
    assert_eq!(cross_account.data.len(), 8 + 104 + 8 * 72 + 4 * 48);
    assert_eq!(isolated_account.data.len(), 8 + 104 + 72 + 48);

    for (account, mode) in [(&cross_account, 0u8), (&isolated_account, 1u8)] {
        let owner = &account.data[SUB_ACCOUNT_OWNER_OFFSET..SUB_ACCOUNT_OWNER_OFFSET + 32];
        assert_eq!(owner, trader.key().as_ref());
        assert_eq!(account.data[SUB_ACCOUNT_MODE_OFFSET], mode);
        assert_eq!(account.data[SUB_ACCOUNT_HAS_POSITIONS_OFFSET], 0);
    }
    let header = h.sub_account(&isolated).await;
    assert_eq!(
        header.mode(),
        SubAccountMode::Isolated { market_index: btc }
    );
    assert_eq!((header.id, header.collateral), (1, 0));

    let user: ringfence::state::UserAccount = h.decode(&builders::user_pda(&trader.key())).await;
    assert_eq!(
        (user.owner, user.next_sub_account_id, user.open_sub_accounts),
        (trader.key(), 2, 2)
    );
    assert_eq!(h.exchange().await.user_count, 1);
}

#[tokio::test]
async fn creating_a_user_twice_is_refused() {
    let mut h = Harness::new().await;
    let trader = h.wallet(0).await;
    h.create_user(&trader).await;
    let again = builders::create_user(&trader.key());
    assert_error(
        h.process(&[again], &[&trader.keypair]).await,
        RingfenceError::AccountAlreadyExists,
    );
}

#[tokio::test]
async fn sub_account_ids_are_taken_in_order_and_never_twice() {
    let mut h = Harness::new().await;
    let (trader, _) = h.trader(0).await;
    let result = h
        .try_create_sub_account(&trader, 0, SubAccountMode::Cross)
        .await;
    assert_eq!(result, Err(program_error(RingfenceError::SubAccountIdUsed)));
    let result = h
        .try_create_sub_account(&trader, 2, SubAccountMode::Cross)
        .await;
    assert_eq!(
        result,
        Err(program_error(RingfenceError::SubAccountIdNotNext))
    );
    assert!(h
        .account(&builders::sub_account_pda(&trader.key(), 2))
        .await
        .is_none());
    h.try_create_sub_account(&trader, 1, SubAccountMode::Cross)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_isolated_sub_account_needs_an_existing_market() {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let trader = h.wallet(0).await;
    h.create_user(&trader).await;
    let result = h
        .try_create_sub_account(&trader, 0, SubAccountMode::Isolated { market_index: 1 })
        .await;
    assert_eq!(result, Err(program_error(RingfenceError::MarketNotFound)));
    assert!(h
        .account(&builders::sub_account_pda(&trader.key(), 0))
        .await
        .is_none());
}

#[tokio::test]
async fn nobody_creates_a_sub_account_under_someone_elses_user() {
    let mut h = Harness::new().await;
    let (victim, _) = h.trader(0).await;
    let attacker = h.wallet(0).await;
    let mut ix = builders::create_sub_account(&attacker.key(), 1, SubAccountMode::Cross);
    ix.accounts[2].pubkey = builders::user_pda(&victim.key());
    let result = h.process(&[ix], &[&attacker.keypair]).await;
    assert_eq!(
        result,
        Err(anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds))
    );
}

#[tokio::test]
async fn a_lamport_sent_to_a_future_sub_account_cannot_block_its_creation() {
    let mut h = Harness::new().await;
    let trader = h.wallet(0).await;
    h.create_user(&trader).await;
    let key = builders::sub_account_pda(&trader.key(), 0);
    h.set_account(
        &key,
        Account::new(1, 0, &solana_system_interface::program::ID),
    );
    h.try_create_sub_account(&trader, 0, SubAccountMode::Cross)
        .await
        .unwrap();
    let account = h.account(&key).await.unwrap();
    let rent = h.ctx.banks_client.get_rent().await.unwrap();
    assert_eq!(account.owner, ringfence::ID);
    assert_eq!(account.lamports, rent.minimum_balance(account.data.len()));
    assert_eq!(h.sub_account(&key).await.owner, trader.key());
}

#[tokio::test]
async fn closing_an_empty_sub_account_returns_its_rent_and_retires_its_id() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(100).await;
    h.deposit(&trader, &sub_account, 10 * USD).await.unwrap();
    h.withdraw(&trader, &sub_account, 10 * USD).await.unwrap();
    let rent = h.account(&sub_account).await.unwrap().lamports;
    let wallet_before = h.account(&trader.key()).await.unwrap().lamports;

    let ix = builders::close_sub_account(&trader.key(), &sub_account);
    h.process(&[ix], &[&trader.keypair]).await.unwrap();

    assert!(h.account(&sub_account).await.is_none());
    assert_eq!(
        h.account(&trader.key()).await.unwrap().lamports,
        wallet_before + rent
    );
    let user: ringfence::state::UserAccount = h.decode(&builders::user_pda(&trader.key())).await;
    assert_eq!((user.next_sub_account_id, user.open_sub_accounts), (1, 0));
    let result = h
        .try_create_sub_account(&trader, 0, SubAccountMode::Cross)
        .await;
    assert_eq!(result, Err(program_error(RingfenceError::SubAccountIdUsed)));
}

#[tokio::test]
async fn closing_a_sub_account_that_holds_collateral_is_refused() {
    let mut h = Harness::new().await;
    let (trader, sub_account) = h.trader(100).await;
    h.deposit(&trader, &sub_account, 1).await.unwrap();
    let watched = [sub_account, builders::user_pda(&trader.key())];
    let before = h.snapshot(&watched).await;
    let ix = builders::close_sub_account(&trader.key(), &sub_account);
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::SubAccountNotEmpty,
    );
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn nobody_closes_someone_elses_sub_account() {
    let mut h = Harness::new().await;
    let (victim, sub_account) = h.trader(0).await;
    let (attacker, _) = h.trader(0).await;
    let ix = builders::close_sub_account(&attacker.key(), &sub_account);
    assert_error(
        h.process(&[ix], &[&attacker.keypair]).await,
        RingfenceError::NotOwner,
    );
    assert_eq!(h.sub_account(&sub_account).await.owner, victim.key());
}
