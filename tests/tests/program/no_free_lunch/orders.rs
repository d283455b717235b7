//! The limit-order operations of the no-free-lunch run: resting orders far from the start,
//! orders placed during an excursion that only its return crosses, execution at the starting
//! oracle only, cancellation by the owner and pruning of expired orders by the keeper.

use super::{clone, Run, START};
use rand::Rng;
use ringfence::error::RingfenceError;
use ringfence::instructions::{PlaceOrderArgs, Side};
use ringfence_tests::params::{BASE_UNIT, USD};
use ringfence_tests::{builders, program_error};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::TransactionError;

/// What the program may answer an order executed at the starting oracle: the fill's own
/// checks at that moment (margin, caps, price, slots) or an order outlived by its reason.
const REFUSED_FILLS: [RingfenceError; 10] = [
    RingfenceError::InsufficientInitialMargin,
    RingfenceError::OrderExpired,
    RingfenceError::NothingToReduce,
    RingfenceError::SlippageExceeded,
    RingfenceError::PositionSideMismatch,
    RingfenceError::LeverageMismatch,
    RingfenceError::TooManyPositions,
    RingfenceError::OpenInterestCapExceeded,
    RingfenceError::PoolExposureExceeded,
    RingfenceError::PoolOpenInterestCapExceeded,
];

/// Asserts that `error` is the program's refusal with one of `expected`.
#[track_caller]
fn assert_one_of(error: TransactionError, expected: &[RingfenceError]) {
    assert!(
        expected.iter().any(|e| program_error(*e) == error),
        "unexpected {error:?}"
    );
}

impl Run {
    /// Owner `o` places an order 1–10% from the start on the side the start does not cross:
    /// only an excursion crosses it, and no order is executed at a moved price.
    pub(super) async fn place_resting_order(&mut self, o: usize) {
        let (sub, market) = self.pick(o);
        let start = START[usize::from(market)] * USD as i64;
        let away = start * self.rng.gen_range(100..1_000i64) / 10_000;
        let (side, limit) = if self.rng.gen() {
            (Side::Long, start - away)
        } else {
            (Side::Short, start + away)
        };
        self.place_order(o, sub, market, side, limit as u64).await;
    }

    /// During an excursion of `bps` on `market`: an order with its limit 50 bps past the start
    /// on the far side of the move, so the moved price does not cross it and the return does.
    pub(super) async fn place_return_order(&mut self, market: u16, bps: i64) {
        let o = usize::from(market) / 2;
        let slot = if self.rng.gen() {
            self.rng.gen_range(0..2)
        } else {
            2 + usize::from(market % 2)
        };
        let start = START[usize::from(market)] * USD as i64;
        let (side, limit) = if bps > 0 {
            (Side::Long, start + start / 200)
        } else {
            (Side::Short, start - start / 200)
        };
        self.place_order(o, self.subs[o][slot], market, side, limit as u64)
            .await;
    }

    async fn place_order(&mut self, o: usize, sub: Pubkey, market: u16, side: Side, limit: u64) {
        let dollars = self.rng.gen_range(500..200_000i64);
        let base =
            (dollars as i128 * BASE_UNIT as i128 / START[usize::from(market)] as i128) as u64;
        let max = if market.is_multiple_of(2) { 40 } else { 20 };
        let now = self.h.clock().await.unix_timestamp;
        let args = PlaceOrderArgs {
            side,
            base,
            leverage: self.rng.gen_range(1..=max),
            limit_price: limit,
            expiry: now + self.rng.gen_range(60..7_200i64),
            reduce_only: self.rng.gen_bool(0.3),
        };
        let owner = clone(&self.owners[o]);
        let oracle = builders::stub_oracle_pda(market);
        let ix = builders::place_order(&owner.key(), &sub, market, &oracle, args);
        match self.h.process(&[ix], &[&owner.keypair]).await {
            Ok(()) => self.seen.orders_placed += 1,
            Err(error) => assert_one_of(
                error,
                &[
                    RingfenceError::OrderSlotsFull,
                    RingfenceError::NothingToReduce,
                ],
            ),
        }
    }

    /// `sub`'s open orders: (slot, market, expiry, whether the starting oracle crosses it).
    async fn orders(&mut self, sub: &Pubkey) -> Vec<(u8, u16, i64, bool)> {
        let data = self.h.account(sub).await.unwrap().data;
        let view = ringfence_sdk::accounts::sub_account(&data).unwrap();
        let open = view.orders.iter().enumerate().filter(|(_, o)| o.is_open());
        open.map(|(slot, o)| {
            let start = (START[usize::from(o.market_index)] * USD as i64) as u64;
            let crossed = if o.side == 0 {
                start <= o.limit_price
            } else {
                start >= o.limit_price
            };
            (slot as u8, o.market_index, o.expiry, crossed)
        })
        .collect()
    }

    /// At the starting oracle, in a later slot: every open order of `market` is executed by the
    /// keeper (for its fee) or by the owner (for none), or refused by the fill's own checks.
    pub(super) async fn execute_orders(&mut self, market: u16) {
        self.h.next_slot().await;
        let o = usize::from(market) / 2;
        for sub in self.subs[o] {
            for (slot, order_market, _, crossed) in self.orders(&sub).await {
                if order_market != market || !crossed {
                    continue;
                }
                let executor = if self.rng.gen() {
                    clone(&self.owners[o])
                } else {
                    clone(&self.keeper)
                };
                let oracle = builders::stub_oracle_pda(market);
                let pairs = self.h.position_pairs(&sub, Some(market)).await;
                let ix = builders::execute_order(
                    &executor.key(),
                    &executor.token,
                    &sub,
                    market,
                    &oracle,
                    slot,
                    &pairs,
                );
                match self.h.process(&[ix], &[&executor.keypair]).await {
                    Ok(()) => self.seen.orders_executed += 1,
                    Err(error) => assert_one_of(error, &REFUSED_FILLS),
                }
            }
        }
    }

    /// Expired orders are pruned by the keeper (for nothing); live ones the owner may cancel.
    pub(super) async fn remove_orders(&mut self, o: usize) {
        let now = self.h.clock().await.unix_timestamp;
        let owner = clone(&self.owners[o]);
        for sub in self.subs[o] {
            for (slot, _, expiry, _) in self.orders(&sub).await {
                if expiry <= now {
                    let ix = builders::prune_order(&self.keeper.key(), &sub, slot);
                    let keeper = clone(&self.keeper);
                    self.h.process(&[ix], &[&keeper.keypair]).await.unwrap();
                    self.seen.orders_pruned += 1;
                } else if self.rng.gen() {
                    let ix = builders::cancel_order(&owner.key(), &sub, slot);
                    self.h.process(&[ix], &[&owner.keypair]).await.unwrap();
                    self.seen.orders_cancelled += 1;
                }
            }
        }
    }
}
