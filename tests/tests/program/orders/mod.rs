//! Limit orders: an order rests until the oracle crosses its limit and then fills, through the
//! one fill path, no worse than the limit, with the taker fee and a keeper fee, only in a later
//! slot and before expiry; reduce-only orders never grow or flip; an order that would break
//! initial margin is refused and kept; execution must be alone in its transaction; placement
//! refuses marketable orders and pruning pays nothing. Amounts are worked out by hand from the
//! 5 bps taker fee (20% to the protocol) and the $1 keeper fee of the BTC preset, without
//! premium. The harness checks conservation after every transaction.

use ringfence::error::RingfenceError;
use ringfence::instructions::{PlaceOrderArgs, Side};
use ringfence::state::{MarketParams, SubAccountMode};
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::trading::market_order;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

mod keeper_fees;

const BTC: u16 = 0;

/// The BTC preset's fees (5 bps, 20% to the protocol, $1 keeper fee) without premium or the
/// pool caps' size terms, so every amount is worked out by hand.
fn params() -> MarketParams {
    MarketParams {
        max_premium_bps: 0,
        im_size_scale: 0,
        max_side_oi_pool_bps: u16::MAX,
        ..btc_params()
    }
}

struct World {
    h: Harness,
    trader: Wallet,
    cross: Pubkey,
    keeper: Wallet,
}

async fn world() -> World {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", params(), 50_000).await;
    h.seed_pool(1_000_000).await;
    let trader = h.wallet(20_000).await;
    h.create_user(&trader).await;
    let cross = h.create_sub_account(&trader, SubAccountMode::Cross).await;
    h.deposit(&trader, &cross, 10_000 * USD).await.unwrap();
    let keeper = h.wallet(0).await;
    World {
        h,
        trader,
        cross,
        keeper,
    }
}

fn order(side: Side, base: i64, limit_usd: u64, expiry: i64, reduce_only: bool) -> PlaceOrderArgs {
    PlaceOrderArgs {
        side,
        base: base as u64,
        leverage: 10,
        limit_price: limit_usd * USD,
        expiry,
        reduce_only,
    }
}

impl World {
    async fn place(
        &mut self,
        args: PlaceOrderArgs,
    ) -> Result<(), solana_sdk::transaction::TransactionError> {
        let oracle = builders::stub_oracle_pda(BTC);
        let ix = builders::place_order(&self.trader.key(), &self.cross, BTC, &oracle, args);
        self.h.process(&[ix], &[&self.trader.keypair]).await
    }

    async fn execute(&mut self, slot: u8) -> Result<(), solana_sdk::transaction::TransactionError> {
        let oracle = builders::stub_oracle_pda(BTC);
        let ix = builders::execute_order(
            &self.keeper.key(),
            &self.keeper.token,
            &self.cross,
            BTC,
            &oracle,
            slot,
            &[],
        );
        self.h.process(&[ix], &[&self.keeper.keypair]).await
    }

    async fn now(&mut self) -> i64 {
        self.h.clock().await.unix_timestamp
    }

    async fn orders_open(&mut self) -> usize {
        let data = self.h.account(&self.cross).await.unwrap().data;
        let view = ringfence_sdk::accounts::sub_account(&data).unwrap();
        view.orders.iter().filter(|o| o.is_open()).count()
    }
}

#[tokio::test]
async fn a_limit_buy_rests_until_the_oracle_crosses_then_fills_at_it_with_fee_and_keeper_fee() {
    let mut w = world().await;
    let expiry = w.now().await + 3_600;
    w.place(order(Side::Long, BASE_UNIT / 10, 49_000, expiry, false))
        .await
        .unwrap();
    assert_eq!(w.orders_open().await, 1);
    w.h.next_slot().await;
    // $50,000 is above the limit: nothing fills, nothing moves.
    let watched = [w.cross, w.keeper.token, builders::vault_pda()];
    let before = w.h.snapshot(&watched).await;
    assert_error(w.execute(0).await, RingfenceError::OrderNotCrossed);
    assert_eq!(w.h.snapshot(&watched).await, before);

    // $48,900 crosses: 0.1 BTC fills at $48,900 (no premium), fee 5 bps of $4,890 = $2.445,
    // the keeper's $1 on top.
    w.h.set_price(BTC, 48_900).await;
    let collateral = w.h.sub_account(&w.cross).await.collateral;
    let fees = w.h.exchange().await.protocol_fees;
    w.execute(0).await.unwrap();
    let (sub, positions) = w.h.try_sub_account(&w.cross).await.unwrap();
    assert_eq!(positions[0].base, BASE_UNIT / 10);
    assert_eq!(
        positions[0].quote_entry,
        -(4_890 * USD as i64),
        "entry at the limit-side mark"
    );
    assert_eq!(sub.collateral, collateral - 2_445_000 - USD as i64);
    assert_eq!(
        w.h.exchange().await.protocol_fees - fees,
        489_000,
        "20% of the fee"
    );
    assert_eq!(w.h.token_balance(&w.keeper.token).await, USD);
    assert_eq!(w.orders_open().await, 0, "the slot is free again");
    assert_error(w.execute(0).await, RingfenceError::NoOrder);
}

#[tokio::test]
async fn an_order_executes_only_in_a_later_slot_and_before_expiry_and_pruning_pays_nothing() {
    let mut w = world().await;
    let now = w.now().await;
    w.place(order(Side::Long, BASE_UNIT / 10, 49_000, now + 60, false))
        .await
        .unwrap();
    w.h.set_price(BTC, 48_000).await;
    assert_error(w.execute(0).await, RingfenceError::OrderTooNew);
    w.h.next_slot().await;
    // Still valid: only its owner may remove it.
    let stranger = w.h.wallet(0).await;
    let prune = builders::prune_order(&stranger.key(), &w.cross, 0);
    assert_error(
        w.h.process(std::slice::from_ref(&prune), &[&stranger.keypair])
            .await,
        RingfenceError::OrderStillValid,
    );
    w.h.set_time(now + 60).await;
    w.h.set_price(BTC, 48_000).await;
    assert_error(w.execute(0).await, RingfenceError::OrderExpired);
    let collateral = w.h.sub_account(&w.cross).await.collateral;
    w.h.process(&[prune], &[&stranger.keypair]).await.unwrap();
    assert_eq!(w.orders_open().await, 0);
    assert_eq!(
        w.h.sub_account(&w.cross).await.collateral,
        collateral,
        "pruning is free"
    );
    assert_eq!(w.h.token_balance(&stranger.token).await, 0);
}

#[tokio::test]
async fn placement_refuses_marketable_orders_nothing_to_reduce_bad_args_and_a_fifth_order() {
    let mut w = world().await;
    let now = w.now().await;
    let watched = [w.cross];
    let before = w.h.snapshot(&watched).await;
    // A buy limit at or above the mark would fill at once: that is an open, not an order.
    assert_error(
        w.place(order(Side::Long, BASE_UNIT / 10, 50_000, now + 60, false))
            .await,
        RingfenceError::OrderAlreadyCrossed,
    );
    assert_error(
        w.place(order(Side::Short, BASE_UNIT / 10, 49_999, now + 60, false))
            .await,
        RingfenceError::OrderAlreadyCrossed,
    );
    // Reduce-only with no position.
    assert_error(
        w.place(order(Side::Short, BASE_UNIT / 10, 51_000, now + 60, true))
            .await,
        RingfenceError::NothingToReduce,
    );
    for bad in [
        order(Side::Long, 0, 49_000, now + 60, false),
        order(Side::Long, BASE_UNIT, 0, now + 60, false),
        order(Side::Long, BASE_UNIT, 49_000, now, false),
        order(Side::Long, BASE_UNIT, 49_000, now + 31 * 86_400, false),
    ] {
        assert_error(w.place(bad).await, RingfenceError::InvalidOrder);
    }
    let too_much_leverage = PlaceOrderArgs {
        leverage: 41,
        ..order(Side::Long, BASE_UNIT, 49_000, now + 60, false)
    };
    assert_error(
        w.place(too_much_leverage).await,
        RingfenceError::InvalidLeverage,
    );
    assert_eq!(
        w.h.snapshot(&watched).await,
        before,
        "refusals change nothing"
    );
    for _ in 0..4 {
        w.place(order(Side::Long, BASE_UNIT / 100, 40_000, now + 60, false))
            .await
            .unwrap();
    }
    assert_error(
        w.place(order(Side::Long, BASE_UNIT / 100, 40_000, now + 60, false))
            .await,
        RingfenceError::OrderSlotsFull,
    );
    // The owner cancels one; the slot is reused.
    let cancel = builders::cancel_order(&w.trader.key(), &w.cross, 2);
    w.h.process(&[cancel], &[&w.trader.keypair]).await.unwrap();
    w.place(order(Side::Long, BASE_UNIT / 100, 40_000, now + 60, false))
        .await
        .unwrap();
    assert_eq!(w.orders_open().await, 4);
}

#[tokio::test]
async fn reduce_only_closes_at_most_the_position_and_never_flips() {
    let mut w = world().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let open = builders::open_position(
        &w.trader.key(),
        &w.cross,
        BTC,
        &oracle,
        market_order(Side::Long, BASE_UNIT as u64 / 10, 10),
        &[],
    );
    w.h.process(&[open], &[&w.trader.keypair]).await.unwrap();
    let now = w.now().await;
    // A take-profit of 0.3 BTC at $51,000 on a 0.1 BTC long.
    w.place(order(
        Side::Short,
        3 * BASE_UNIT / 10,
        51_000,
        now + 600,
        true,
    ))
    .await
    .unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 51_000).await;
    let collateral = w.h.sub_account(&w.cross).await.collateral;
    w.execute(0).await.unwrap();
    let (sub, positions) = w.h.try_sub_account(&w.cross).await.unwrap();
    assert!(
        positions.iter().all(|p| p.base == 0),
        "closed, not flipped short"
    );
    // +$100 realized (0.1 × $1,000), fee 5 bps of $5,100 = $2.55, keeper $1.
    assert_eq!(
        sub.collateral,
        collateral + 100 * USD as i64 - 2_550_000 - USD as i64
    );
    assert_eq!(w.h.market(BTC).await.open_interest_long, 0);
}

#[tokio::test]
async fn an_order_that_would_break_initial_margin_is_refused_and_kept() {
    let mut w = world().await;
    let now = w.now().await;
    // 1.9 BTC at 10x near $49,000 needs about $9,310 of margin; then $9,000 leaves.
    w.place(order(
        Side::Long,
        19 * BASE_UNIT / 10,
        49_000,
        now + 600,
        false,
    ))
    .await
    .unwrap();
    w.h.withdraw(&w.trader, &w.cross, 9_000 * USD)
        .await
        .unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 49_000).await;
    assert_error(
        w.execute(0).await,
        RingfenceError::InsufficientInitialMargin,
    );
    assert_eq!(
        w.orders_open().await,
        1,
        "kept: the owner may add margin or cancel"
    );
}

#[tokio::test]
async fn an_executor_cannot_sandwich_an_order_in_one_transaction() {
    let mut w = world().await;
    let now = w.now().await;
    w.place(order(Side::Long, BASE_UNIT / 10, 49_000, now + 600, false))
        .await
        .unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 48_900).await;
    let attacker = w.h.wallet(10_000).await;
    w.h.create_user(&attacker).await;
    let sub =
        w.h.create_sub_account(&attacker, SubAccountMode::Cross)
            .await;
    w.h.deposit(&attacker, &sub, 10_000 * USD).await.unwrap();
    let oracle = builders::stub_oracle_pda(BTC);
    let front = builders::open_position(
        &attacker.key(),
        &sub,
        BTC,
        &oracle,
        market_order(Side::Long, BASE_UNIT as u64, 10),
        &[],
    );
    let execute = builders::execute_order(
        &attacker.key(),
        &attacker.token,
        &w.cross,
        BTC,
        &oracle,
        0,
        &[],
    );
    let watched = [
        w.cross,
        sub,
        attacker.token,
        builders::vault_pda(),
        builders::pool_pda(),
    ];
    let before = w.h.snapshot(&watched).await;
    let result = w.h.process(&[front, execute], &[&attacker.keypair]).await;
    assert_eq!(
        result,
        Err(solana_sdk::transaction::TransactionError::InstructionError(
            1,
            solana_sdk::instruction::InstructionError::Custom(u32::from(
                RingfenceError::OrderNotAlone
            ))
        ))
    );
    assert_eq!(w.h.snapshot(&watched).await, before, "nothing moved");
}

#[tokio::test]
async fn a_price_published_before_the_order_was_placed_cannot_fill_it() {
    let mut w = world().await;
    let now = w.now().await;
    w.h.set_time(now + 10).await;
    w.h.set_price(BTC, 50_000).await;
    w.place(order(Side::Long, BASE_UNIT / 10, 49_000, now + 600, false))
        .await
        .unwrap();
    w.h.next_slot().await;
    // A crossing price stamped before the order (the clock moved back to stamp it).
    w.h.set_time(now + 5).await;
    w.h.set_price(BTC, 48_000).await;
    w.h.set_time(now + 12).await;
    assert_error(w.execute(0).await, RingfenceError::OracleOlderThanOrder);
}

#[tokio::test]
async fn a_delegate_places_and_cancels_orders_and_an_isolated_account_orders_only_its_market() {
    let mut w = world().await;
    let delegate = w.h.wallet(0).await;
    let ix = builders::set_delegate(&w.trader.key(), &w.cross, Some(delegate.key()));
    w.h.process(&[ix], &[&w.trader.keypair]).await.unwrap();
    let now = w.now().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let place = builders::place_order(
        &delegate.key(),
        &w.cross,
        BTC,
        &oracle,
        order(Side::Long, BASE_UNIT / 10, 49_000, now + 60, false),
    );
    w.h.process(&[place], &[&delegate.keypair]).await.unwrap();
    let stranger = w.h.wallet(0).await;
    let cancel = builders::cancel_order(&stranger.key(), &w.cross, 0);
    assert_error(
        w.h.process(&[cancel], &[&stranger.keypair]).await,
        RingfenceError::NotOwnerOrDelegate,
    );
    let cancel = builders::cancel_order(&delegate.key(), &w.cross, 0);
    w.h.process(&[cancel], &[&delegate.keypair]).await.unwrap();
    assert_eq!(w.orders_open().await, 0);

    let eth = w.h.stub_market("ETH-PERP", params(), 3_000).await;
    let isolated =
        w.h.create_sub_account(&w.trader, SubAccountMode::Isolated { market_index: BTC })
            .await;
    let eth_oracle = builders::stub_oracle_pda(eth);
    let place = builders::place_order(
        &w.trader.key(),
        &isolated,
        eth,
        &eth_oracle,
        order(Side::Long, BASE_UNIT, 2_900, now + 60, false),
    );
    assert_error(
        w.h.process(&[place], &[&w.trader.keypair]).await,
        RingfenceError::IsolatedMarketMismatch,
    );
}

#[tokio::test]
async fn a_sub_account_with_a_resting_order_does_not_close_until_it_is_cancelled() {
    let mut w = world().await;
    let empty =
        w.h.create_sub_account(&w.trader, SubAccountMode::Cross)
            .await;
    let now = w.now().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let place = builders::place_order(
        &w.trader.key(),
        &empty,
        BTC,
        &oracle,
        order(Side::Long, BASE_UNIT / 10, 49_000, now + 60, false),
    );
    w.h.process(&[place], &[&w.trader.keypair]).await.unwrap();
    let close = builders::close_sub_account(&w.trader.key(), &empty);
    assert_error(
        w.h.process(std::slice::from_ref(&close), &[&w.trader.keypair])
            .await,
        RingfenceError::SubAccountHasOrders,
    );
    let cancel = builders::cancel_order(&w.trader.key(), &empty, 0);
    w.h.process(&[cancel, close], &[&w.trader.keypair])
        .await
        .unwrap();
    assert!(
        w.h.account(&empty).await.is_none(),
        "closed once the order was cancelled"
    );
}

#[tokio::test]
async fn execute_order_refuses_any_other_program_in_its_transaction() {
    let mut w = world().await;
    let now = w.now().await;
    w.place(order(Side::Long, BASE_UNIT / 10, 49_000, now + 600, false))
        .await
        .unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 48_900).await;
    let oracle = builders::stub_oracle_pda(BTC);
    let execute = builders::execute_order(
        &w.keeper.key(),
        &w.keeper.token,
        &w.cross,
        BTC,
        &oracle,
        0,
        &[],
    );
    let transfer =
        solana_system_interface::instruction::transfer(&w.keeper.key(), &w.trader.key(), 1);
    let before = w.h.snapshot(&[w.cross, w.keeper.token]).await;
    let result =
        w.h.process(&[transfer, execute], &[&w.keeper.keypair])
            .await;
    assert_eq!(
        result,
        Err(solana_sdk::transaction::TransactionError::InstructionError(
            1,
            solana_sdk::instruction::InstructionError::Custom(u32::from(
                RingfenceError::OrderNotAlone
            ))
        ))
    );
    assert_eq!(w.h.snapshot(&[w.cross, w.keeper.token]).await, before);
}
