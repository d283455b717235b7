//! Trading helpers: stub prices, the pool's liquidity, opening and closing, and health read
//! back from account bytes with the program's own math.

use crate::builders;
use crate::harness::{Harness, Wallet};
use ringfence::health::health_with;
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::math::fixed_point::scaled_by_power_of_ten;
use ringfence::math::margin::Health;
use ringfence::state::{MarketParams, StubOracle};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

/// `params` without fees, skew premium, size term of initial margin or pool share cap on open
/// interest, so scenario numbers can be computed by hand (the pool suites keep the last two).
pub fn frictionless(params: MarketParams) -> MarketParams {
    MarketParams {
        taker_fee_bps: 0,
        max_premium_bps: 0,
        im_size_scale: 0,
        max_side_oi_pool_bps: u16::MAX,
        ..params
    }
}

/// An order that accepts any fill price.
pub fn market_order(side: Side, base: u64, leverage: u16) -> OpenPositionArgs {
    let limit_price = match side {
        Side::Long => u64::MAX,
        Side::Short => 0,
    };
    OpenPositionArgs {
        side,
        base,
        leverage,
        limit_price,
    }
}

impl Harness {
    /// The oracle account of market `index`.
    pub async fn oracle_of(&mut self, index: u16) -> Pubkey {
        self.market(index).await.oracle
    }

    /// Refreshes every market's pool terms at its current price (`refresh_pool_valuation`,
    /// 12 markets a transaction), as a keeper does for idle markets.
    pub async fn refresh_all(&mut self) {
        let pairs = self.all_market_pairs().await;
        for chunk in pairs.chunks(24) {
            let ix = builders::refresh_pool_valuation(chunk);
            self.process(&[ix], &[])
                .await
                .expect("refresh_pool_valuation");
        }
    }

    /// `[market, oracle]` for every market, in index order.
    pub async fn all_market_pairs(&mut self) -> Vec<Pubkey> {
        let count = self.exchange().await.market_count;
        let mut pairs = Vec::new();
        for index in 0..count {
            pairs.push(builders::market_pda(index));
            pairs.push(self.oracle_of(index).await);
        }
        pairs
    }

    /// `[market, oracle]` for each open position of `sub_account` except in `except`.
    pub async fn position_pairs(
        &mut self,
        sub_account: &Pubkey,
        except: Option<u16>,
    ) -> Vec<Pubkey> {
        let (_, positions) = self
            .try_sub_account(sub_account)
            .await
            .expect("sub-account");
        let mut pairs = Vec::new();
        for position in positions.iter().filter(|p| p.is_open()) {
            if Some(position.market_index) != except {
                pairs.push(builders::market_pda(position.market_index));
                pairs.push(self.oracle_of(position.market_index).await);
            }
        }
        pairs
    }

    /// Sets a stub market's price in micro-dollars (price × 10⁻⁶).
    pub async fn set_price_micros(&mut self, index: u16, micros: i64) {
        let admin = self.admin.insecure_clone();
        let ix = builders::set_stub_price(&admin.pubkey(), index, micros, 0, -6);
        self.process(&[ix], &[&admin])
            .await
            .expect("set_stub_price");
    }

    /// Sets a stub market's price in whole dollars.
    pub async fn set_price(&mut self, index: u16, dollars: i64) {
        self.set_price_micros(index, dollars * 1_000_000).await;
    }

    /// A liquidity provider deposits `usd` dollars into the pool; returns the LP wallet.
    pub async fn seed_pool(&mut self, usd: u64) -> Wallet {
        let lp = self.wallet(usd).await;
        let ix = builders::pool_deposit(&lp.key(), &lp.token, usd * crate::params::USD);
        self.process(&[ix], &[&lp.keypair])
            .await
            .expect("pool_deposit");
        lp
    }

    /// Sends `open_position` with the right remaining accounts.
    pub async fn open(
        &mut self,
        trader: &Wallet,
        sub_account: &Pubkey,
        index: u16,
        args: OpenPositionArgs,
    ) -> Result<(), TransactionError> {
        let oracle = self.oracle_of(index).await;
        let pairs = self.position_pairs(sub_account, Some(index)).await;
        let ix = builders::open_position(&trader.key(), sub_account, index, &oracle, args, &pairs);
        self.process(&[ix], &[&trader.keypair]).await
    }

    /// Opens at any price (limit at the extreme for the side).
    pub async fn open_at_market(
        &mut self,
        trader: &Wallet,
        sub_account: &Pubkey,
        index: u16,
        side: Side,
        base: u64,
        leverage: u16,
    ) -> Result<(), TransactionError> {
        self.open(
            trader,
            sub_account,
            index,
            market_order(side, base, leverage),
        )
        .await
    }

    /// Closes `base` atoms (all when `None`) at any price.
    pub async fn close_at_market(
        &mut self,
        trader: &Wallet,
        sub_account: &Pubkey,
        index: u16,
        base: Option<u64>,
    ) -> Result<(), TransactionError> {
        let (_, positions) = self
            .try_sub_account(sub_account)
            .await
            .expect("sub-account");
        let long = positions
            .iter()
            .any(|p| p.is_open() && p.market_index == index && p.base > 0);
        let limit = if long { 0 } else { u64::MAX };
        let oracle = self.oracle_of(index).await;
        let ix = builders::close_position(&trader.key(), sub_account, index, &oracle, base, limit);
        self.process(&[ix], &[&trader.keypair]).await
    }

    /// Health of `sub_account` at the stub markets' current prices and funding accrued to now,
    /// from account bytes, with the program's own `health_with`.
    pub async fn health(&mut self, sub_account: &Pubkey) -> Health {
        let (header, positions) = self
            .try_sub_account(sub_account)
            .await
            .expect("sub-account");
        let now = self.clock().await.unix_timestamp;
        let mut priced = Vec::new();
        for position in positions.iter().filter(|p| p.is_open()) {
            let market = self.market(position.market_index).await;
            let stub: StubOracle = self.decode(&market.oracle).await;
            let mark = scaled_by_power_of_ten(stub.price, stub.exponent).unwrap();
            priced.push((market, mark));
        }
        health_with(&header, &positions, now, |index| {
            priced
                .iter()
                .find(|(market, _)| market.index == index)
                .map(|(market, mark)| (market, *mark))
        })
        .unwrap()
    }

    /// Sends `liquidate` from `liquidator` with the other positions' pairs.
    pub async fn liquidate(
        &mut self,
        liquidator: &Wallet,
        sub_account: &Pubkey,
        index: u16,
        max_base: u64,
    ) -> Result<(), TransactionError> {
        let oracle = self.oracle_of(index).await;
        let pairs = self.position_pairs(sub_account, Some(index)).await;
        let ix = builders::liquidate(
            &liquidator.key(),
            &liquidator.token,
            sub_account,
            index,
            &oracle,
            max_base,
            &pairs,
        );
        self.process(&[ix], &[&liquidator.keypair]).await
    }

    /// Funds the insurance fund with `usd` dollars from a new wallet.
    pub async fn fund_insurance(&mut self, usd: u64) {
        let funder = self.wallet(usd).await;
        let ix = builders::fund_insurance(&funder.key(), &funder.token, usd * crate::params::USD);
        self.process(&[ix], &[&funder.keypair])
            .await
            .expect("fund_insurance");
    }
}
