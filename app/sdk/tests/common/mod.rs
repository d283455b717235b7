//! What both vector writers share: I80F48 bits as text and a market's parameters as the web
//! page's TypeScript reads them.

use ringfence::math::I80F48;
use ringfence::state::MarketParams;
use serde_json::{json, Value};

/// An I80F48's raw bits (value × 2^48) as a decimal string.
pub fn bits(value: I80F48) -> String {
    value.to_bits().to_string()
}

/// The parameters the preview and the stress test read, in the page's field names.
pub fn params_json(p: &MarketParams) -> Value {
    json!({
        "tierUpToNotional": p.tier_up_to_notional.iter().map(u64::to_string).collect::<Vec<_>>(),
        "tierMmBps": p.tier_mm_bps,
        "tierCount": p.tier_count,
        "skewScale": p.skew_scale.to_string(),
        "maxFundingRatePpm": p.max_funding_rate_ppm,
        "takerFeeBps": p.taker_fee_bps,
        "upnlInitialWeightBps": p.upnl_initial_weight_bps,
        "maxPremiumBps": p.max_premium_bps,
        "imSizeScale": p.im_size_scale_notional().to_string(),
        "liquidationFeeBps": p.liquidation_fee_bps,
        "maxLeverage": p.max_leverage,
    })
}
