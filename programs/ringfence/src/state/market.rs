//! A perpetual market: oracle source, risk and fee parameters with hard bounds, funding state.

use crate::error::RingfenceError;
use crate::math::fixed_point::from_u64;
use crate::math::margin::{
    MaintenanceBracket, MaintenanceSchedule, MarketRisk, PositionInput, MAX_MARGIN_TIERS,
};
use crate::math::oracle::OracleGuards;
use crate::math::units::BPS;
use crate::math::I80F48;
use crate::state::FixedBits;
use anchor_lang::prelude::*;

/// Seed of a `Market` PDA: `["market", index LE]`.
pub const MARKET_SEED: &[u8] = b"market";

/// Protocol ceiling on any market's leverage.
pub const MAX_LEVERAGE_CEILING: u16 = 100;
/// Protocol ceiling on the taker fee, basis points.
pub const MAX_TAKER_FEE_BPS: u16 = 100;
/// Protocol ceiling on the funding rate, parts per million per hour (1% an hour).
pub const MAX_FUNDING_RATE_PPM: u32 = 10_000;
/// Protocol ceiling on the skew premium, basis points.
pub const MAX_PREMIUM_BPS: u16 = 100;
/// Protocol ceiling on the accepted oracle age, seconds.
pub const MAX_ORACLE_AGE_S: u32 = 300;
/// Protocol ceiling on the accepted oracle confidence, basis points of the price.
pub const MAX_CONF_BPS: u16 = 500;
/// Protocol ceiling on the accepted oracle EMA divergence, basis points.
pub const MAX_EMA_DIVERGENCE_BPS: u16 = 2_000;
/// Protocol ceiling on the liquidation penalty, basis points of the closed notional (1%): far
/// below the maintenance ratios in use, so no parameter change can turn a liquidation into a
/// seizure.
pub const MAX_LIQUIDATION_FEE_BPS: u16 = 100;
/// Protocol ceiling on the keeper fee for executing a trigger, quote native units ($10).
pub const MAX_TRIGGER_KEEPER_FEE: u64 = 10_000_000;
/// Protocol ceiling on the age of a price a fill accepts, seconds.
pub const MAX_FILL_AGE_S: u8 = 30;
/// Unit of `MarketParams::im_size_scale`, quote native ($100,000).
pub const IM_SIZE_SCALE_UNIT: u64 = 100_000 * 1_000_000;
/// Protocol ceiling on a market's open-interest cap per side, quote native ($10 billion):
/// every fill, close and liquidation of a position up to it fits the program's integers.
pub const MAX_OPEN_INTEREST_CAP: u64 = 10_000_000_000 * 1_000_000;

/// Where a market's price comes from.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OracleKind {
    /// A Pyth pull-oracle `PriceUpdateV2` account.
    Pyth,
    /// A program-owned `StubOracle` the admin sets (local networks and demos).
    Stub,
}

/// What a market lets traders do.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketStatus {
    /// Everything allowed.
    Active,
    /// No opens; closes, triggers, liquidation and funding run.
    ReduceOnly,
    /// No opens and no new triggers; closes, trigger executions, liquidation and funding run.
    Paused,
}

/// Risk, fee and funding parameters of a market. Borsh bytes equal the zero-copy bytes
/// (no implicit padding), so the same struct is both the instruction argument and the layout.
///
/// Borsh is derived directly (not through Anchor's aliases, which would also implement
/// `IdlBuild` and clash with `zero_copy`'s): the IDL describes the zero-copy layout, which a
/// unit test pins as byte-identical to the Borsh encoding.
#[zero_copy]
#[derive(
    anchor_lang::prelude::borsh::BorshSerialize,
    anchor_lang::prelude::borsh::BorshDeserialize,
    Debug,
    PartialEq,
    Eq,
)]
#[borsh(crate = "anchor_lang::prelude::borsh")]
pub struct MarketParams {
    /// Upper notional bound of each maintenance bracket, quote native (the last is unbounded).
    pub tier_up_to_notional: [u64; 4],
    /// Maintenance ratio of each bracket, basis points, non-decreasing.
    pub tier_mm_bps: [u16; 4],
    /// Skew notional (quote native) at which funding reaches its maximum rate.
    pub skew_scale: u64,
    /// Open-interest cap per side, quote native notional.
    pub max_open_interest: u64,
    /// Fee paid to whoever executes a stop-loss or take-profit, quote native.
    pub trigger_keeper_fee: u64,
    /// Size-scaled initial margin: a position's initial ratio is at least its notional divided
    /// by this many units of `IM_SIZE_SCALE_UNIT` ($100,000), so large positions need more
    /// margin whatever leverage they chose (0 = no size term). Took layout v1's funding cap.
    pub im_size_scale: u16,
    /// Per-side open interest cap against the pool: each side's notional at most this share of
    /// pool equity plus insurance, basis points (1 ..= 65,535).
    pub max_side_oi_pool_bps: u16,
    /// Oldest accepted oracle price, seconds.
    pub max_oracle_age_s: u32,
    /// Largest funding rate, parts per million per hour.
    pub max_funding_rate_ppm: u32,
    /// Largest leverage a position may choose.
    pub max_leverage: u16,
    /// Taker fee, basis points of the filled notional.
    pub taker_fee_bps: u16,
    /// Share of the taker fee kept by the protocol (the rest goes to the pool), basis points.
    pub protocol_fee_share_bps: u16,
    /// Liquidation penalty, basis points of the closed notional (below every maintenance ratio).
    pub liquidation_fee_bps: u16,
    /// Share of the liquidation penalty paid to the liquidator (the rest to insurance), bps.
    pub liquidator_share_bps: u16,
    /// Weight of unrealized profit toward opening risk, basis points (≤ 10,000).
    pub upnl_initial_weight_bps: u16,
    /// Largest skew premium on fills, basis points.
    pub max_premium_bps: u16,
    /// Widest accepted oracle confidence, basis points of the price.
    pub max_conf_bps: u16,
    /// Largest accepted |price − EMA| / EMA, basis points.
    pub max_ema_divergence_bps: u16,
    /// Number of maintenance brackets in use (1 ..= 4).
    pub tier_count: u8,
    /// Oldest oracle price a fill accepts, seconds (1 ..= `MAX_FILL_AGE_S`, at most
    /// `max_oracle_age_s`); margin checks that move nothing accept `max_oracle_age_s`.
    pub max_fill_age_s: u8,
}

const_assert_size!(MarketParams, 96);

impl MarketParams {
    /// Checks every parameter against the protocol's hard limits.
    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_LEVERAGE_CEILING).contains(&self.max_leverage),
            RingfenceError::InvalidMaxLeverage
        );
        self.validate_tiers()?;
        let highest_mm = u64::from(self.tier_mm_bps[self.tier_count as usize - 1]);
        require!(
            highest_mm * u64::from(self.max_leverage) < BPS,
            RingfenceError::MaintenanceNotBelowInitial
        );
        require!(
            self.liquidation_fee_bps < self.tier_mm_bps[0]
                && self.liquidation_fee_bps <= MAX_LIQUIDATION_FEE_BPS,
            RingfenceError::LiquidationFeeTooHigh
        );
        require!(
            self.taker_fee_bps <= MAX_TAKER_FEE_BPS
                && self.trigger_keeper_fee <= MAX_TRIGGER_KEEPER_FEE,
            RingfenceError::FeeTooHigh
        );
        require!(
            u64::from(self.protocol_fee_share_bps) <= BPS
                && u64::from(self.liquidator_share_bps) <= BPS,
            RingfenceError::InvalidFeeShare
        );
        require!(
            u64::from(self.upnl_initial_weight_bps) <= BPS,
            RingfenceError::InvalidUpnlWeight
        );
        require!(
            self.skew_scale > 0 && self.max_funding_rate_ppm <= MAX_FUNDING_RATE_PPM,
            RingfenceError::InvalidFundingParams
        );
        require!(
            self.max_side_oi_pool_bps > 0,
            RingfenceError::InvalidOpenInterestCap
        );
        require!(
            self.max_premium_bps <= MAX_PREMIUM_BPS,
            RingfenceError::PremiumTooHigh
        );
        require!(
            (1..=MAX_ORACLE_AGE_S).contains(&self.max_oracle_age_s)
                && (1..=MAX_CONF_BPS).contains(&self.max_conf_bps)
                && (1..=MAX_EMA_DIVERGENCE_BPS).contains(&self.max_ema_divergence_bps)
                && (1..=MAX_FILL_AGE_S).contains(&self.max_fill_age_s)
                && u32::from(self.max_fill_age_s) <= self.max_oracle_age_s,
            RingfenceError::InvalidOracleGuards
        );
        require!(
            (1..=MAX_OPEN_INTEREST_CAP).contains(&self.max_open_interest),
            RingfenceError::InvalidOpenInterestCap
        );
        Ok(())
    }

    fn validate_tiers(&self) -> Result<()> {
        let count = self.tier_count as usize;
        require!(
            (1..=MAX_MARGIN_TIERS).contains(&count),
            RingfenceError::InvalidMarginTiers
        );
        for i in 0..count {
            require!(self.tier_mm_bps[i] > 0, RingfenceError::InvalidMarginTiers);
            if i + 1 < count {
                require!(
                    self.tier_mm_bps[i] <= self.tier_mm_bps[i + 1]
                        && self.tier_up_to_notional[i] > 0,
                    RingfenceError::InvalidMarginTiers
                );
            }
            if i + 2 < count {
                require!(
                    self.tier_up_to_notional[i] < self.tier_up_to_notional[i + 1],
                    RingfenceError::InvalidMarginTiers
                );
            }
        }
        Ok(())
    }

    /// The maintenance brackets as the margin engine reads them.
    pub fn maintenance_schedule(&self) -> MaintenanceSchedule {
        let mut brackets = [MaintenanceBracket {
            up_to_notional: I80F48::ZERO,
            ratio_bps: 0,
        }; MAX_MARGIN_TIERS];
        let count = (self.tier_count as usize).min(MAX_MARGIN_TIERS);
        for (i, bracket) in brackets.iter_mut().enumerate().take(count) {
            bracket.up_to_notional = from_u64(self.tier_up_to_notional[i]);
            bracket.ratio_bps = u32::from(self.tier_mm_bps[i]);
        }
        MaintenanceSchedule::new(&brackets[..count])
    }

    /// The notional at which the size term of initial margin reaches 100%, quote native
    /// (zero when the market has no size term).
    pub fn im_size_scale_notional(&self) -> u64 {
        u64::from(self.im_size_scale) * IM_SIZE_SCALE_UNIT
    }

    /// The oracle limits as the pure guards read them.
    pub fn oracle_guards(&self) -> OracleGuards {
        OracleGuards {
            max_age_s: self.max_oracle_age_s,
            max_conf_bps: self.max_conf_bps,
            max_ema_divergence_bps: self.max_ema_divergence_bps,
        }
    }
}

/// A perpetual market: PDA `["market", index LE]`. Layout version 3 (v2 took 8 reserved
/// bytes for `last_fill_publish_time`, v3 took 56 for the side quote sums and pool terms).
#[account(zero_copy)]
#[derive(Debug)]
pub struct Market {
    /// The oracle account: a Pyth `PriceUpdateV2` or this market's `StubOracle`.
    pub oracle: Pubkey,
    /// Pyth feed id (zero for a stub).
    pub feed_id: [u8; 32],
    /// Display name, UTF-8, zero-padded ("BTC-PERP").
    pub name: [u8; 16],
    /// Risk, fee and funding parameters.
    pub params: MarketParams,
    /// Cumulative funding per whole base unit, quote (same unit as a price); a position owes
    /// base × (index now − index at its last settlement).
    pub cumulative_funding: FixedBits,
    /// Index of this market, also in its seeds.
    pub index: u16,
    /// `MarketStatus` as u8.
    pub status: u8,
    /// `OracleKind` as u8.
    pub oracle_kind: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Explicit padding.
    pub padding: [u8; 3],
    /// Σ size of open long positions, base atoms.
    pub open_interest_long: u64,
    /// Σ |size| of open short positions, base atoms.
    pub open_interest_short: u64,
    /// Σ quote_entry of every open long position, quote native (with the long open interest,
    /// values what longs are owed in aggregate).
    pub quote_entry_long: i64,
    /// Unix time funding was last accrued, seconds.
    pub last_funding_ts: i64,
    /// Hourly funding rate at the last accrual (positive: longs pay).
    pub funding_rate: FixedBits,
    /// Funding the pool has been credited (−) or debited (+) that positions have not yet
    /// settled, plus settlement rounding, quote native. Part of the conservation sum.
    pub funding_ledger: i64,
    /// Publish time of the newest oracle price a fill has used, unix seconds: a fill refuses
    /// an older one, so a trader cannot pick among prices it has already seen.
    pub last_fill_publish_time: i64,
    /// Σ quote_entry of every open short position, quote native.
    pub quote_entry_short: i64,
    /// The mark this market's pool terms were last valued at.
    pub valued_mark: FixedBits,
    /// Pool term: traders' net unrealized PnL here at `valued_mark`, rounded down.
    pub valued_pnl: i64,
    /// Pool term: traders' unrealized profit per side plus unpaid funding credited to the
    /// pool, rounded up.
    pub valued_profit: u64,
    /// Pool term: |net size| × `valued_mark`, rounded up.
    pub valued_exposure: u64,
    /// The pool's valuation window this market was last valued in.
    pub valued_window: i64,
    /// 1 when the market had open interest at its last valuation (it counts in the pool's
    /// active markets), else 0.
    pub valued_active: u8,
    /// Room for later layout versions.
    pub reserved: [u8; 7],
}

const_assert_size!(Market, 328);

impl Market {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + core::mem::size_of::<Market>();

    /// The market's status.
    pub fn status(&self) -> MarketStatus {
        match self.status {
            0 => MarketStatus::Active,
            1 => MarketStatus::ReduceOnly,
            _ => MarketStatus::Paused,
        }
    }

    /// The market's oracle kind.
    pub fn oracle_kind(&self) -> OracleKind {
        if self.oracle_kind == OracleKind::Stub as u8 {
            OracleKind::Stub
        } else {
            OracleKind::Pyth
        }
    }

    /// Net size traders hold (long − short), base atoms.
    pub fn net_base(&self) -> Result<i64> {
        let long =
            i64::try_from(self.open_interest_long).map_err(|_| RingfenceError::MathOverflow)?;
        let short =
            i64::try_from(self.open_interest_short).map_err(|_| RingfenceError::MathOverflow)?;
        long.checked_sub(short)
            .ok_or_else(|| RingfenceError::MathOverflow.into())
    }

    /// Records a position's size changing by `base_delta` (from `base_before`) and its entry
    /// quote by `quote_delta`.
    pub fn record_trade(
        &mut self,
        base_before: i64,
        base_delta: i64,
        quote_delta: i64,
    ) -> Result<()> {
        let after = base_before
            .checked_add(base_delta)
            .ok_or(RingfenceError::MathOverflow)?;
        let (long_before, short_before) = sides(base_before);
        let (long_after, short_after) = sides(after);
        self.open_interest_long = adjust(self.open_interest_long, long_before, long_after)?;
        self.open_interest_short = adjust(self.open_interest_short, short_before, short_after)?;
        // A fill never flips a position, so the side is the one it has or takes.
        let side_sum = if base_before > 0 || (base_before == 0 && base_delta > 0) {
            &mut self.quote_entry_long
        } else {
            &mut self.quote_entry_short
        };
        *side_sum = side_sum
            .checked_add(quote_delta)
            .ok_or(RingfenceError::MathOverflow)?;
        Ok(())
    }

    /// `position` as the margin engine reads it in this market: its leverage is capped at the
    /// market's current maximum, so initial margin (and the liquidation-end target between
    /// it and maintenance) stays above maintenance whatever the market's parameters become.
    pub fn position_input(&self, position: &crate::state::Position) -> PositionInput {
        PositionInput {
            base: position.base,
            quote_entry: position.quote_entry,
            leverage: position.leverage.min(self.params.max_leverage).max(1),
        }
    }

    /// The margin engine's view of this market at `mark`.
    pub fn risk(&self, mark: I80F48) -> MarketRisk {
        MarketRisk {
            mark,
            maintenance: self.params.maintenance_schedule(),
            upnl_initial_weight_bps: u32::from(self.params.upnl_initial_weight_bps),
            im_size_scale: self.params.im_size_scale_notional(),
        }
    }
}

/// (long, short) magnitudes of a signed size.
fn sides(base: i64) -> (u64, u64) {
    if base >= 0 {
        (base.unsigned_abs(), 0)
    } else {
        (0, base.unsigned_abs())
    }
}

/// `total − before + after`, checked.
fn adjust(total: u64, before: u64, after: u64) -> Result<u64> {
    total
        .checked_sub(before)
        .and_then(|t| t.checked_add(after))
        .ok_or_else(|| RingfenceError::MathOverflow.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::liquidation::liquidation_target;
    use crate::math::margin::{Health, PositionRisk};
    use crate::state::Position;
    use proptest::prelude::*;

    /// Valid parameters with `max_leverage` and maintenance brackets scaled under 1 / leverage.
    fn params(max_leverage: u16, fractions: &[u16], bounds: &[u64], fee: u16) -> MarketParams {
        let top = 9_999 / u64::from(max_leverage);
        let mut mm: Vec<u16> = fractions
            .iter()
            .map(|f| (u64::from(*f) * top / 10_000).max(1) as u16)
            .collect();
        mm.sort_unstable();
        let mut tiers = [0u16; 4];
        tiers[..mm.len()].copy_from_slice(&mm);
        let mut up_to = [0u64; 4];
        let mut sorted = bounds.to_vec();
        sorted.sort_unstable();
        for (i, bound) in sorted.iter().take(mm.len() - 1).enumerate() {
            up_to[i] = bound + i as u64;
        }
        MarketParams {
            tier_up_to_notional: up_to,
            tier_mm_bps: tiers,
            tier_count: mm.len() as u8,
            max_leverage,
            liquidation_fee_bps: fee.min(tiers[0].saturating_sub(1)),
            skew_scale: 1,
            max_open_interest: 1,
            trigger_keeper_fee: 0,
            im_size_scale: 0,
            max_side_oi_pool_bps: 1,
            max_oracle_age_s: 60,
            max_funding_rate_ppm: 0,
            taker_fee_bps: 0,
            protocol_fee_share_bps: 0,
            liquidator_share_bps: 0,
            upnl_initial_weight_bps: 0,
            max_premium_bps: 0,
            max_conf_bps: 1,
            max_ema_divergence_bps: 1,
            max_fill_age_s: 1,
        }
    }

    proptest! {
        #[test]
        fn every_allowed_parameter_set_keeps_the_liquidation_target_above_maintenance(
            max_leverage in 1u16..=MAX_LEVERAGE_CEILING,
            fractions in proptest::collection::vec(1u16..=10_000, 1..=4),
            bounds in proptest::collection::vec(1u64..1_000_000_000_000_000, 3),
            fee in 0u16..=MAX_LIQUIDATION_FEE_BPS,
            opened_at in 1u16..=MAX_LEVERAGE_CEILING,
            base in -1_000_000_000_000_000i64..1_000_000_000_000_000,
            price in 1i64..1_000_000,
        ) {
            // A position opened at any leverage (the market's maximum may have been lowered
            // since), in a market with any parameters the program accepts.
            let params = params(max_leverage, &fractions, &bounds, fee);
            prop_assume!(params.validate().is_ok() && base != 0);
            let mut market: Market = bytemuck::Zeroable::zeroed();
            market.params = params;
            let mark = I80F48::from_num(price);
            let position = Position {
                base,
                leverage: opened_at,
                ..Position::default()
            };
            let risk = PositionRisk::new(&market.position_input(&position), &market.risk(mark), I80F48::ZERO).unwrap();
            let mut health = Health::from_collateral(0);
            health.add(&risk, &market.risk(mark)).unwrap();
            let target = liquidation_target(&health).unwrap();
            prop_assert!(health.initial_requirement >= health.maintenance_requirement);
            prop_assert!(target >= health.maintenance_requirement);
        }
    }
}
