//! Writes the stress-test vectors the web page's TypeScript port is checked against
//! (`app/web/tests/stress-vectors.json`): seeded wallets of cross and isolated sub-accounts
//! near their liquidation prices, shocked by one-step moves and by paths with gaps, each with
//! the outcome `ringfence_sdk::stress` (the program's own liquidation) computes, as held and in
//! both counterfactuals. The committed file must equal what this writes;
//! `RINGFENCE_WRITE_VECTORS=1 cargo test -p ringfence-sdk --test stress_vectors` refreshes it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorDeserialize;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ringfence::math::I80F48;
use ringfence::state::{Exchange, Market, Pool, Position, SubAccount};
use ringfence_sdk::presets::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_sdk::stress::{as_isolated, as_one_cross, run, Book, Holding, Outcome, Scenario};
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
    // A small skew scale now and then, so liquidations pay a premium that matters.
    if rng.gen_bool(0.4) {
        market.params.skew_scale = rng.gen_range(100_000..2_000_000) * USD;
    }
    let dollars: i64 = if index == 0 {
        rng.gen_range(20_000..90_000)
    } else {
        rng.gen_range(1_000..5_000)
    };
    let mark = I80F48::from_num(dollars) + I80F48::from_num(rng.gen_range(0..100)) / 100;
    market.open_interest_long = rng.gen_range(0..50) * BASE_UNIT as u64;
    market.open_interest_short = rng.gen_range(0..50) * BASE_UNIT as u64;
    market
        .cumulative_funding
        .set(I80F48::from_num(rng.gen_range(-500i64..500)) / 7);
    market.last_funding_ts = NOW - rng.gen_range(0..7_200);
    (market, mark)
}

fn market_json((m, mark): &(Market, I80F48)) -> Value {
    json!({
        "index": m.index,
        "params": params_json(&m.params),
        "openInterestLong": m.open_interest_long.to_string(),
        "openInterestShort": m.open_interest_short.to_string(),
        "cumulativeFundingBits": bits(m.cumulative_funding.get()),
        "lastFundingTs": m.last_funding_ts.to_string(),
        "markBits": bits(*mark),
    })
}

/// A position worth about `dollars` at `mark`, entered within ±8% of it.
fn position(rng: &mut ChaCha8Rng, (m, mark): &(Market, I80F48), dollars: i64) -> Position {
    let side = if rng.gen_bool(0.7) { 1 } else { -1 };
    let base = (I80F48::from_num(dollars) * I80F48::from_num(BASE_UNIT) / *mark).to_num::<i64>();
    let entry = *mark * I80F48::from_num(rng.gen_range(92..108)) / 100;
    let quote_entry = -(I80F48::from_num(base * side) * entry / 1_000).to_num::<i64>();
    let snapshot = m.cumulative_funding.get() - I80F48::from_num(rng.gen_range(0..40));
    Position {
        market_index: m.index,
        base: base.max(1) * side,
        quote_entry,
        leverage: rng.gen_range(2..=m.params.max_leverage),
        funding_snapshot: snapshot.into(),
        ..Position::default()
    }
}

fn holding(rng: &mut ChaCha8Rng, markets: &[(Market, I80F48)], id: u8) -> Holding {
    let isolated = rng.gen_bool(0.5);
    let mut header: SubAccount = bytemuck::Zeroable::zeroed();
    let mut positions = vec![Position::default(); if isolated { 1 } else { 8 }];
    let held = if isolated { 1 } else { rng.gen_range(1..=2) };
    let first: usize = rng.gen_range(0..2);
    let mut margin = 0i64;
    for (slot, at) in (first..first + held).enumerate() {
        let dollars = rng.gen_range(500..200_000);
        positions[slot] = position(rng, &markets[at % 2], dollars);
        margin += dollars / i64::from(positions[slot].leverage);
    }
    header.mode = u8::from(isolated);
    header.isolated_market = if isolated { first as u16 } else { 0 };
    header.has_positions = 1;
    header.being_liquidated = u8::from(rng.gen_bool(0.1));
    header.collateral = margin * rng.gen_range(8..150) / 100 * USD as i64;
    Holding {
        key: Pubkey::new_from_array([id; 32]),
        header,
        positions,
    }
}

fn scenario(rng: &mut ChaCha8Rng) -> Scenario {
    let steps = if rng.gen_bool(0.6) {
        1
    } else {
        rng.gen_range(2..=3)
    };
    // Small, medium and crash-sized moves, so partial liquidations and bankruptcies both occur.
    let largest = [300i64, 1_000, 3_000][rng.gen_range(0..3)];
    let mut moves = Vec::new();
    for _ in 0..steps {
        let mut step = Vec::new();
        for m in [0u16, 1] {
            if rng.gen_bool(0.8) {
                step.push((m, rng.gen_range(-largest..largest / 2)));
            }
        }
        moves.push(step);
    }
    Scenario { steps: moves }
}

fn holding_json(h: &Holding) -> Value {
    json!({
        "isolated": h.header.mode == 1,
        "collateral": h.header.collateral.to_string(),
        "beingLiquidated": h.header.being_liquidated == 1,
        "positions": h.positions.iter().filter(|p| p.is_open()).map(|p| json!({
            "marketIndex": p.market_index,
            "base": p.base.to_string(),
            "quoteEntry": p.quote_entry.to_string(),
            "leverage": p.leverage,
            "fundingSnapshotBits": bits(p.funding_snapshot.get()),
        })).collect::<Vec<_>>(),
    })
}

fn outcome_json(outcome: &Outcome) -> Value {
    json!({
        "startEquityBits": outcome.start_equity.iter().copied().map(bits).collect::<Vec<_>>(),
        "totalLossBits": bits(outcome.total_loss),
        "steps": outcome.steps.iter().map(|step| json!({
            "marks": step.marks.iter().map(|(i, p)| json!([i, bits(*p)])).collect::<Vec<_>>(),
            "accounts": step.accounts.iter().map(|a| json!({
                "equityBeforeBits": bits(a.equity_before),
                "maintenanceBeforeBits": bits(a.maintenance_before),
                "equityAfterBits": bits(a.equity_after),
                "collateralAfter": a.collateral_after.to_string(),
                "positionsLeft": a.positions_left,
                "complete": a.complete,
                "closures": a.closures.iter().map(|c| json!({
                    "marketIndex": c.market_index,
                    "closed": c.closed.to_string(),
                    "fillPriceBits": bits(c.fill_price),
                    "realizedPnl": c.realized_pnl.to_string(),
                    "penalty": c.penalty.to_string(),
                    "bankrupt": c.bankrupt,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn book(markets: Vec<(Market, I80F48)>) -> Book {
    let zeros = [0u8; 1_024];
    let mut exchange = Exchange::deserialize(&mut &zeros[..]).unwrap();
    let mut pool = Pool::deserialize(&mut &zeros[..]).unwrap();
    exchange.insurance_fund = 1_000_000 * USD;
    pool.balance = 100_000_000 * USD;
    Book {
        markets,
        exchange,
        pool,
        now: NOW,
    }
}

fn case(rng: &mut ChaCha8Rng) -> Value {
    let mut markets = vec![market(rng, 0), market(rng, 1)];
    let holdings: Vec<Holding> = (0..rng.gen_range(1..=3))
        .map(|id| holding(rng, &markets, id))
        .collect();
    // Open interest includes the wallet's own positions.
    for position in holdings.iter().flat_map(|h| h.positions.iter()) {
        let market = &mut markets[usize::from(position.market_index)].0;
        if position.base > 0 {
            market.open_interest_long += position.base.unsigned_abs();
        } else {
            market.open_interest_short += position.base.unsigned_abs();
        }
    }
    let scenario = scenario(rng);
    let book = book(markets.clone());
    let held = run(&book, &holdings, &scenario).unwrap();
    let cross = as_one_cross(&book, &holdings)
        .ok()
        .map(|one| outcome_json(&run(&book, &[one], &scenario).unwrap()));
    let split = as_isolated(&book, &holdings).unwrap();
    let isolated = run(&book, &split, &scenario).unwrap();
    json!({
        "now": NOW.to_string(),
        "markets": markets.iter().map(market_json).collect::<Vec<_>>(),
        "holdings": holdings.iter().map(holding_json).collect::<Vec<_>>(),
        "steps": scenario.steps,
        "expected": {
            "held": outcome_json(&held),
            "oneCross": cross,
            "isolated": {
                "holdings": split.iter().map(holding_json).collect::<Vec<_>>(),
                "outcome": outcome_json(&isolated),
            },
        },
    })
}

#[test]
fn stress_vectors_for_the_web_page_are_current() {
    let mut rng = ChaCha8Rng::seed_from_u64(2027);
    let cases: Vec<Value> = (0..CASES).map(|_| case(&mut rng)).collect();
    let closures = |c: &Value| {
        c["expected"]["held"]
            .to_string()
            .matches("marketIndex")
            .count()
    };
    assert!(
        cases.iter().filter(|c| closures(c) > 0).count() >= CASES / 3,
        "too few vectors liquidate anything"
    );
    // One case per line: compact, and a change still shows as the cases it touches.
    let lines: Vec<String> = cases.iter().map(Value::to_string).collect();
    let about = "Stress outcomes computed by ringfence-sdk (app/sdk/tests/stress_vectors.rs). I80F48 values are raw bits (value × 2^48).";
    let text = format!(
        "{{\"about\": {},\n\"cases\": [\n{}\n]}}\n",
        json!(about),
        lines.join(",\n")
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/tests/stress-vectors.json"
    );
    if std::env::var_os("RINGFENCE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "app/web/tests/stress-vectors.json is stale: run RINGFENCE_WRITE_VECTORS=1 cargo test -p ringfence-sdk --test stress_vectors"
    );
}
