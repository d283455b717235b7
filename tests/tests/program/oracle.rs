//! Oracle checks: every bad Pyth update is refused with its own error; a good one yields
//! price × 10^exponent; a stub is guarded the same way.

use fixed::types::I80F48;
use ringfence::error::RingfenceError;
use ringfence::instructions::OracleSource;
use ringfence::state::OracleKind;
use ringfence_tests::params::{btc_params, eth_params};
use ringfence_tests::pyth::{receiver_program, PythPrice, Verification};
use ringfence_tests::{assert_error, builders, program_error, Harness};
use solana_sdk::account::Account;
use solana_sdk::account_info::AccountInfo;
use solana_sdk::pubkey::Pubkey;

const BTC_FEED: [u8; 32] = [0xb7; 32];

/// Creates a Pyth BTC market from `price` written at a fresh address.
async fn create_with(
    h: &mut Harness,
    price: PythPrice,
    owner: Pubkey,
) -> Result<Pubkey, solana_sdk::transaction::TransactionError> {
    let address = Pubkey::new_unique();
    h.set_account(&address, price.to_account(owner));
    let oracle = OracleSource::Pyth { feed_id: BTC_FEED };
    h.try_create_market("BTC-PERP", address, oracle, btc_params())
        .await?;
    Ok(address)
}

/// Reads the mark price through the program's oracle function, in memory.
fn mark_price_of(
    market: &ringfence::state::Market,
    key: &Pubkey,
    account: &Account,
    now: i64,
) -> anchor_lang::Result<I80F48> {
    let mut lamports = account.lamports;
    let mut data = account.data.clone();
    let info = AccountInfo::new(
        key,
        false,
        false,
        &mut lamports,
        &mut data,
        &account.owner,
        false,
    );
    let clock = solana_sdk::clock::Clock {
        unix_timestamp: now,
        ..Default::default()
    };
    ringfence::oracle::mark_price(market, &info, &clock)
}

#[tokio::test]
async fn a_good_pyth_update_creates_the_market_and_reads_price_times_ten_to_the_exponent() {
    let mut h = Harness::new().await;
    let now = h.clock().await.unix_timestamp;
    let price = PythPrice {
        price: 6_543_212_345_678,
        ema_price: 6_543_212_345_678,
        ..PythPrice::usd(BTC_FEED, 0, now)
    };
    let address = create_with(&mut h, price, receiver_program())
        .await
        .unwrap();

    let market = h.market(0).await;
    assert_eq!((market.oracle, market.feed_id), (address, BTC_FEED));
    assert_eq!(market.oracle_kind(), OracleKind::Pyth);

    let account = h.account(&address).await.unwrap();
    let mark = mark_price_of(&market, &address, &account, now).unwrap();
    // 6,543,212,345,678 × 10^-8 = 65,432.12345678, rounded down to the last fractional bit.
    let exact: I80F48 = "65432.12345678".parse().unwrap();
    assert!(mark <= exact && exact - mark <= I80F48::DELTA, "{mark}");
    assert_eq!(mark.int(), I80F48::from_num(65_432));
}

#[tokio::test]
async fn each_bad_pyth_update_gets_its_own_error_and_creates_nothing() {
    let mut h = Harness::new().await;
    let now = h.clock().await.unix_timestamp;
    let good = PythPrice::usd(BTC_FEED, 50_000, now);
    let cases = [
        (
            "stale: one second past 60 s",
            PythPrice {
                publish_time: now - 61,
                ..good
            },
            RingfenceError::OracleStale,
        ),
        (
            "another feed",
            PythPrice {
                feed_id: [0xe7; 32],
                ..good
            },
            RingfenceError::OracleFeedMismatch,
        ),
        (
            "partial verification",
            PythPrice {
                verification: Verification::Partial(13),
                ..good
            },
            RingfenceError::OracleNotFullyVerified,
        ),
        // max_conf_bps is 200: 2% of the price plus one unit is too wide.
        (
            "wide confidence",
            PythPrice {
                conf: good.price as u64 / 50 + 1,
                ..good
            },
            RingfenceError::OracleConfidenceTooWide,
        ),
        // max_ema_divergence_bps is 500: 5% above the EMA plus one unit diverges.
        (
            "divergent EMA",
            PythPrice {
                price: good.ema_price / 20 * 21 + 1,
                ..good
            },
            RingfenceError::OracleEmaDivergence,
        ),
        (
            "negative price",
            PythPrice { price: -1, ..good },
            RingfenceError::OracleNonPositive,
        ),
    ];
    for (case, price, error) in cases {
        let result = create_with(&mut h, price, receiver_program()).await;
        assert_eq!(result.err(), Some(program_error(error)), "{case}");
        assert!(
            h.account(&builders::market_pda(0)).await.is_none(),
            "{case}"
        );
    }
    let result = create_with(&mut h, good, Pubkey::new_unique()).await;
    assert_eq!(
        result.err(),
        Some(program_error(RingfenceError::OracleWrongOwner))
    );
    let result = create_with(
        &mut h,
        PythPrice {
            publish_time: now - 60,
            ..good
        },
        receiver_program(),
    )
    .await;
    assert!(result.is_ok(), "exactly the maximum age is accepted");
}

#[tokio::test]
async fn an_account_of_the_receiver_that_is_not_a_price_update_is_refused() {
    let mut h = Harness::new().await;
    let address = Pubkey::new_unique();
    let mut account = PythPrice::usd(BTC_FEED, 50_000, 0).to_account(receiver_program());
    account.data[0] ^= 0xff; // wrong discriminator
    h.set_account(&address, account);
    let oracle = OracleSource::Pyth { feed_id: BTC_FEED };
    let result = h
        .try_create_market("BTC-PERP", address, oracle, btc_params())
        .await;
    assert_error(result, RingfenceError::OracleInvalidAccount);
}

#[tokio::test]
async fn a_price_that_was_good_goes_stale_with_time() {
    let mut h = Harness::new().await;
    let now = h.clock().await.unix_timestamp;
    let address = create_with(
        &mut h,
        PythPrice::usd(BTC_FEED, 50_000, now),
        receiver_program(),
    )
    .await
    .unwrap();
    let market = h.market(0).await;
    let account = h.account(&address).await.unwrap();
    assert_eq!(
        mark_price_of(&market, &address, &account, now + 60).unwrap(),
        I80F48::from_num(50_000)
    );
    let stale = mark_price_of(&market, &address, &account, now + 61).unwrap_err();
    assert_eq!(stale, RingfenceError::OracleStale.into());
    // Another account at another address is never read in its place.
    let other = mark_price_of(&market, &Pubkey::new_unique(), &account, now).unwrap_err();
    assert_eq!(other, RingfenceError::OracleAccountMismatch.into());
}

#[tokio::test]
async fn a_stub_price_is_guarded_like_a_pyth_price() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let market = h.market(btc).await;
    let key = builders::stub_oracle_pda(btc);
    let account = h.account(&key).await.unwrap();
    let stub: ringfence::state::StubOracle = h.decode(&key).await;
    let now = stub.publish_time;
    assert_eq!(
        mark_price_of(&market, &key, &account, now).unwrap(),
        I80F48::from_num(50_000)
    );
    let stale = mark_price_of(&market, &key, &account, now + 61).unwrap_err();
    assert_eq!(stale, RingfenceError::OracleStale.into());
}

#[tokio::test]
async fn set_stub_price_refuses_a_pyth_market() {
    let mut h = Harness::new().await;
    let now = h.clock().await.unix_timestamp;
    h.stub_market("ETH-PERP", eth_params(), 3_000).await;
    create_with(
        &mut h,
        PythPrice::usd(BTC_FEED, 50_000, now),
        receiver_program(),
    )
    .await
    .unwrap();
    let admin = h.admin.insecure_clone();
    let mut ix =
        builders::set_stub_price(&solana_sdk::signature::Signer::pubkey(&admin), 1, 1, 0, 0);
    ix.accounts[3].pubkey = builders::stub_oracle_pda(0);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::NotStubOracle,
    );
}
