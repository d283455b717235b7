//! The margin engine on arbitrary positions, prices and parameters (far outside what the
//! program lets happen): health, requirements, liquidation and bankruptcy prices, liquidation
//! sizes, penalties and bounties, and the close math (fill price with the skew premium, the
//! quote of the fill, the released entry quote) must return a value or a named error
//! (`MathOverflow`), never panic; a released entry quote never exceeds the entry quote.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ringfence::math::liquidation::{
    bankruptcy_bounty, liquidation_size, liquidation_target, may_liquidate, penalty_within_equity,
};
use ringfence::math::trade::{fee_on_notional, fill_price, fill_quote, released_quote_entry, skew_premium};
use ringfence::math::margin::{
    Health, MaintenanceBracket, MaintenanceSchedule, MarketRisk, PositionInput, PositionRisk,
};
use ringfence::math::prices::{bankruptcy_price, liquidation_price, Surroundings};
use ringfence::math::I80F48;

#[derive(Debug, Arbitrary)]
struct Input {
    collateral: i64,
    positions: Vec<(i64, i64, u16, i128, u32)>,
    brackets: Vec<(u64, u16)>,
    weight_bps: u16,
    being_liquidated: bool,
    penalty_bps: u16,
    skew: (i128, i128, u64, u16),
    closed: i64,
}

fuzz_target!(|input: Input| {
    let mut brackets: Vec<MaintenanceBracket> = input
        .brackets
        .iter()
        .take(4)
        .map(|&(up_to, bps)| MaintenanceBracket {
            up_to_notional: I80F48::from_num(up_to),
            ratio_bps: u32::from(bps),
        })
        .collect();
    if brackets.is_empty() {
        brackets.push(MaintenanceBracket { up_to_notional: I80F48::ZERO, ratio_bps: 50 });
    }
    let schedule = MaintenanceSchedule::new(&brackets);
    let mut health = Health::from_collateral(input.collateral);
    let mut risks = Vec::new();
    for &(base, quote_entry, leverage, mark_bits, owed) in input.positions.iter().take(8) {
        let market = MarketRisk {
            mark: I80F48::from_bits(mark_bits),
            maintenance: schedule,
            upnl_initial_weight_bps: u32::from(input.weight_bps % 10_001),
        };
        let position = PositionInput { base, quote_entry, leverage };
        if let Ok(risk) = PositionRisk::new(&position, &market, I80F48::from_num(owed)) {
            if health.add(&risk, &market).is_ok() {
                risks.push((position, market, risk));
            }
        }
    }
    let _ = health.margin_ratio();
    let _ = health.withdrawable();
    let _ = liquidation_target(&health);
    let _ = may_liquidate(input.being_liquidated, &health);
    for (position, market, risk) in &risks {
        if let Ok(around) = Surroundings::within(&health, risk, I80F48::ZERO) {
            let _ = liquidation_price(position.base, position.quote_entry, market, &around);
            let _ = bankruptcy_price(position.base, position.quote_entry, &around);
        }
        let _ = liquidation_size(&health, risk, position.base, market.mark, input.penalty_bps);
        close(position, market.mark, &input);
    }
});

/// The close of `input.closed` atoms of `position` at `mark`, as `fill` computes it.
fn close(position: &PositionInput, mark: I80F48, input: &Input) {
    let (before, after, scale, cap_bps) = input.skew;
    let premium = skew_premium(I80F48::from_bits(before), I80F48::from_bits(after), scale, cap_bps % 101);
    if let Ok(premium) = premium {
        if let (Ok(price), Some(delta)) = (
            fill_price(mark, premium, position.base < 0),
            input.closed.checked_neg(),
        ) {
            let _ = fill_quote(delta, price);
            let _ = fee_on_notional(input.closed, price, input.penalty_bps);
        }
    }
    let closed = input.closed.checked_rem(position.base).unwrap_or(0);
    if let Ok(released) = released_quote_entry(position.quote_entry, position.base, closed) {
        assert!(released.unsigned_abs() <= position.quote_entry.unsigned_abs());
    }
    let _ = bankruptcy_bounty(closed, mark, input.penalty_bps, u64::from(input.penalty_bps));
    let _ = penalty_within_equity(u64::from(input.penalty_bps), mark);
}
