//! Writes the pre-trade preview vectors the web page's TypeScript preview is checked against
//! (`app/web/tests/preview-vectors.json`): seeded scenarios over both modes, both sides, fees,
//! premiums, skew, unsettled funding and several maintenance brackets, each with the preview
//! the Rust SDK (the program's own code) computes. The committed file must equal what this
//! writes; `RINGFENCE_WRITE_VECTORS=1 cargo test -p ringfence-sdk --test preview_vectors`
//! refreshes it.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ringfence::instructions::Side;
use ringfence::math::I80F48;
use ringfence::state::{Market, Position, SubAccount};
use ringfence_sdk::presets::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_sdk::preview::{preview, Order};
use serde_json::{json, Value};

mod common;

use common::{bits, params_json};

const CASES: usize = 64;
const NOW: i64 = 1_800_000_000;

fn market(rng: &mut ChaCha8Rng, index: u16) -> (Market, I80F48) {
    let mut market: Market = bytemuck::Zeroable::zeroed();
    market.index = index;
    market.params = if index == 0 {
        btc_params()
    } else {
        eth_params()
    };
    if rng.gen_bool(0.3) {
        market.params.taker_fee_bps = 0;
        market.params.max_premium_bps = 0;
    }
    // A small size scale ($100,000 to $1M) so the size term of initial margin binds often.
    if rng.gen_bool(0.4) {
        market.params.im_size_scale = rng.gen_range(1..=10);
    }
    let dollars: i64 = if index == 0 {
        rng.gen_range(20_000..90_000)
    } else {
        rng.gen_range(1_000..5_000)
    };
    let cents: i64 = rng.gen_range(0..100);
    let mark = I80F48::from_num(dollars) + I80F48::from_num(cents) / I80F48::from_num(100);
    market.open_interest_long = rng.gen_range(0..200) * BASE_UNIT as u64;
    market.open_interest_short = rng.gen_range(0..200) * BASE_UNIT as u64;
    market
        .cumulative_funding
        .set(I80F48::from_num(rng.gen_range(-500i64..500)) / I80F48::from_num(7));
    market.last_funding_ts = NOW - rng.gen_range(0..7_200);
    (market, mark)
}

fn position_json(p: &Position) -> Value {
    json!({
        "marketIndex": p.market_index,
        "base": p.base.to_string(),
        "quoteEntry": p.quote_entry.to_string(),
        "leverage": p.leverage,
        "fundingSnapshotBits": bits(p.funding_snapshot.get()),
    })
}

fn case(rng: &mut ChaCha8Rng) -> Option<Value> {
    let markets = [market(rng, 0), market(rng, 1)];
    let isolated = rng.gen_bool(0.4);
    let order_market: u16 = rng.gen_range(0..2);
    let mut header: SubAccount = bytemuck::Zeroable::zeroed();
    header.collateral = rng.gen_range(100..20_000) * USD as i64;
    header.mode = u8::from(isolated);
    header.isolated_market = if isolated { order_market } else { 0 };
    let mut positions = vec![Position::default(); if isolated { 1 } else { 8 }];
    let held = if isolated { 0..2 } else { 0..3 };
    for slot in 0..rng.gen_range(held) {
        let index = if isolated {
            order_market
        } else {
            slot as u16 % 2
        };
        if positions
            .iter()
            .any(|p| p.is_open() && p.market_index == index)
        {
            continue;
        }
        let (m, mark) = &markets[usize::from(index)];
        let base =
            rng.gen_range(1..2_000) as i64 * BASE_UNIT / 1_000 * if rng.gen() { 1 } else { -1 };
        let entry = *mark * I80F48::from_num(rng.gen_range(90..110)) / I80F48::from_num(100);
        let quote_entry =
            -(I80F48::from_num(base) * entry / I80F48::from_num(1_000)).to_num::<i64>();
        let snapshot = m.cumulative_funding.get() - I80F48::from_num(rng.gen_range(0..40));
        positions[slot] = Position {
            market_index: index,
            base,
            quote_entry,
            leverage: rng.gen_range(1..=20),
            funding_snapshot: snapshot.into(),
            ..Position::default()
        };
    }
    let existing = positions
        .iter()
        .find(|p| p.is_open() && p.market_index == order_market);
    let leverage = existing.map_or_else(|| rng.gen_range(1..=20), |p| p.leverage);
    let order = Order {
        market_index: order_market,
        side: if rng.gen() { Side::Long } else { Side::Short },
        base: rng.gen_range(1..3_000) * BASE_UNIT as u64 / 1_000,
        leverage,
    };
    let result = preview(&header, &positions, &markets, order, NOW).ok()?;
    Some(json!({
        "now": NOW.to_string(),
        "collateral": header.collateral.to_string(),
        "isolated": isolated,
        "positions": positions.iter().filter(|p| p.is_open()).map(position_json).collect::<Vec<_>>(),
        "slots": positions.len(),
        "markets": markets.iter().map(|(m, mark)| json!({
            "index": m.index,
            "params": params_json(&m.params),
            "openInterestLong": m.open_interest_long.to_string(),
            "openInterestShort": m.open_interest_short.to_string(),
            "cumulativeFundingBits": bits(m.cumulative_funding.get()),
            "lastFundingTs": m.last_funding_ts.to_string(),
            "markBits": bits(*mark),
        })).collect::<Vec<_>>(),
        "order": {
            "marketIndex": order.market_index,
            "side": if matches!(order.side, Side::Long) { "long" } else { "short" },
            "base": order.base.to_string(),
            "leverage": order.leverage,
        },
        "expected": {
            "fillPriceBits": bits(result.fill_price),
            "fee": result.fee.to_string(),
            "marginMovedBits": bits(result.margin_moved),
            "marginRatioAfterBits": result.margin_ratio_after.map(bits),
            "meetsInitial": result.meets_initial,
            "liquidationPriceBits": result.liquidation_price.map(bits),
            "maxLoss": result.max_loss.to_string(),
            "fundingPerHour": result.funding_per_hour.to_string(),
        },
    }))
}

#[test]
fn preview_vectors_for_the_web_page_are_current() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut cases = Vec::new();
    while cases.len() < CASES {
        if let Some(case) = case(&mut rng) {
            cases.push(case);
        }
    }
    let text = serde_json::to_string_pretty(&json!({
        "about": "Pre-trade previews computed by ringfence-sdk (app/sdk/tests/preview_vectors.rs). I80F48 values are raw bits (value × 2^48).",
        "cases": cases,
    }))
    .unwrap()
        + "\n";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/tests/preview-vectors.json"
    );
    if std::env::var_os("RINGFENCE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "app/web/tests/preview-vectors.json is stale: run RINGFENCE_WRITE_VECTORS=1 cargo test -p ringfence-sdk --test preview_vectors"
    );
}
