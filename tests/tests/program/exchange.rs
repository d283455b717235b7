//! Exchange creation and the two-step admin transfer.

use anchor_spl::token::spl_token;
use ringfence::error::RingfenceError;
use ringfence_tests::params::btc_params;
use ringfence_tests::{assert_error, builders, Harness};
use solana_sdk::account::Account;
use solana_sdk::program_pack::Pack;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn initialize_creates_exchange_vault_and_pool() {
    let mut h = Harness::new().await;
    let exchange = h.exchange().await;
    assert_eq!(exchange.admin, h.admin.pubkey());
    assert_eq!(exchange.collateral_mint, h.mint);
    assert_eq!(exchange.vault, builders::vault_pda());
    assert_eq!(
        (
            exchange.market_count,
            exchange.insurance_fund,
            exchange.protocol_fees
        ),
        (0, 0, 0)
    );

    let vault = h.account(&builders::vault_pda()).await.unwrap();
    assert_eq!(vault.owner, spl_token::ID);
    let vault = spl_token::state::Account::unpack(&vault.data).unwrap();
    assert_eq!(vault.mint, h.mint);
    assert_eq!(
        vault.owner,
        builders::exchange_pda(),
        "the exchange PDA is the vault's authority"
    );
    assert_eq!(vault.amount, 0);

    let pool = h.pool().await;
    assert_eq!((pool.balance, pool.total_shares), (0, 0));
}

#[tokio::test]
async fn a_mint_without_six_decimals_is_refused() {
    let mut h = Harness::with_mint_decimals(9).await;
    let result = h.initialize_exchange().await;
    assert_error(result, RingfenceError::UnsupportedMintDecimals);
    assert!(h.account(&builders::exchange_pda()).await.is_none());
    assert!(h.account(&builders::vault_pda()).await.is_none());
}

#[tokio::test]
async fn initializing_twice_is_refused_and_changes_nothing() {
    let mut h = Harness::new().await;
    let watched = [
        builders::exchange_pda(),
        builders::vault_pda(),
        builders::pool_pda(),
    ];
    let before = h.snapshot(&watched).await;
    let result = h.initialize_exchange().await;
    assert_error(result, RingfenceError::AccountAlreadyExists);
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn a_pre_funded_exchange_address_cannot_block_initialization() {
    let mut h = Harness::uninitialized().await;
    for key in [builders::exchange_pda(), builders::vault_pda()] {
        h.set_account(
            &key,
            Account::new(1, 0, &solana_system_interface::program::ID),
        );
    }
    h.initialize_exchange().await.unwrap();
    let rent = h.ctx.banks_client.get_rent().await.unwrap();
    let exchange = h.account(&builders::exchange_pda()).await.unwrap();
    assert_eq!(exchange.owner, ringfence::ID);
    assert!(rent.is_exempt(exchange.lamports, exchange.data.len()));
    assert_eq!(h.exchange().await.admin, h.admin.pubkey());
}

#[tokio::test]
async fn admin_transfer_takes_two_steps_and_only_the_proposed_key_can_accept() {
    let mut h = Harness::new().await;
    let successor = Keypair::new();
    let stranger = Keypair::new();
    let admin = h.admin.insecure_clone();

    let not_admin = builders::propose_admin(&stranger.pubkey(), &stranger.pubkey());
    assert_error(
        h.process(&[not_admin], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );

    let propose = builders::propose_admin(&admin.pubkey(), &successor.pubkey());
    h.process(&[propose], &[&admin]).await.unwrap();
    assert_eq!(
        h.exchange().await.admin,
        admin.pubkey(),
        "proposing alone changes nothing"
    );
    assert_eq!(h.exchange().await.pending_admin, Some(successor.pubkey()));

    let wrong = builders::accept_admin(&stranger.pubkey());
    assert_error(
        h.process(&[wrong], &[&stranger]).await,
        RingfenceError::NotPendingAdmin,
    );

    h.process(
        &[builders::accept_admin(&successor.pubkey())],
        &[&successor],
    )
    .await
    .unwrap();
    let exchange = h.exchange().await;
    assert_eq!(
        (exchange.admin, exchange.pending_admin),
        (successor.pubkey(), None)
    );

    // The old admin has lost its powers; the new one has them.
    let old = builders::propose_admin(&admin.pubkey(), &admin.pubkey());
    assert_error(h.process(&[old], &[&admin]).await, RingfenceError::NotAdmin);
    h.airdrop(&successor.pubkey(), 1_000_000_000).await;
    h.admin = successor;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
}
