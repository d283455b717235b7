//! Market parameter presets (the suites and the demo markets use them), written out in full.

use ringfence::state::MarketParams;

/// One US dollar in quote native units.
pub const USD: u64 = 1_000_000;
/// One whole base unit in base atoms.
pub const BASE_UNIT: i64 = 1_000_000_000;

/// BTC-like parameters: 40x max, maintenance 0.5% to $1M, 1% to $5M, 2% above; initial
/// ratio at least notional / $50M (so above $1.25M the size term binds before 40x: $5M needs
/// 10%); each side's open interest at most 200% of pool equity plus insurance.
pub fn btc_params() -> MarketParams {
    MarketParams {
        tier_up_to_notional: [1_000_000 * USD, 5_000_000 * USD, 0, 0],
        tier_mm_bps: [50, 100, 200, 0],
        skew_scale: 10_000_000 * USD,
        max_open_interest: 50_000_000 * USD,
        trigger_keeper_fee: USD,
        im_size_scale: 500,
        max_side_oi_pool_bps: 20_000,
        max_oracle_age_s: 60,
        max_funding_rate_ppm: 100,
        max_leverage: 40,
        taker_fee_bps: 5,
        protocol_fee_share_bps: 2_000,
        liquidation_fee_bps: 25,
        liquidator_share_bps: 5_000,
        upnl_initial_weight_bps: 5_000,
        max_premium_bps: 10,
        max_conf_bps: 200,
        max_ema_divergence_bps: 500,
        tier_count: 3,
        max_fill_age_s: 10,
    }
}

/// ETH-like parameters: 20x max, maintenance 1% to $1M, 2% above; initial ratio at least
/// notional / $25M.
pub fn eth_params() -> MarketParams {
    MarketParams {
        tier_up_to_notional: [1_000_000 * USD, 0, 0, 0],
        tier_mm_bps: [100, 200, 0, 0],
        max_leverage: 20,
        im_size_scale: 250,
        tier_count: 2,
        ..btc_params()
    }
}
