//! What each event stores: rows of the schema in `migrations/`, with amounts in native units
//! and prices as decimal text of the program's I80F48 values.

use crate::decode::Event;
use ringfence::math::I80F48;
use ringfence::state::SubAccountMode;
use std::collections::HashMap;

/// A column value, in the types both databases share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// BIGINT.
    Int(i64),
    /// TEXT.
    Text(String),
    /// NULL in a BIGINT column (PostgreSQL types every parameter, NULL included).
    NullInt,
    /// NULL in a TEXT column.
    NullText,
}

/// One row to insert. Event rows get `id`, `signature`, `event_index`, `slot` and
/// `block_time` from the store; `sub_accounts` rows are keyed by their address alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Table name.
    pub table: &'static str,
    /// Columns and values, beside the common ones.
    pub columns: Vec<(&'static str, Value)>,
}

impl Row {
    /// Whether the row carries the common event columns (every table but `sub_accounts`).
    pub fn is_event(&self) -> bool {
        self.table != "sub_accounts"
    }
}

/// An amount the program keeps as `u64` that does not fit the databases' BIGINT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge(pub u64);

fn int(v: impl Into<i64>) -> Value {
    Value::Int(v.into())
}

fn uint(v: u64) -> Result<Value, TooLarge> {
    i64::try_from(v).map(Value::Int).map_err(|_| TooLarge(v))
}

fn text(v: impl ToString) -> Value {
    Value::Text(v.to_string())
}

/// An I80F48 stored as bits, as decimal text.
fn price(bits: i128) -> Value {
    text(I80F48::from_bits(bits))
}

/// (fill − mark) / mark as decimal text: the skew premium the fill paid (positive above mark).
fn premium(fill_bits: i128, mark_bits: i128) -> Value {
    let (fill, mark) = (I80F48::from_bits(fill_bits), I80F48::from_bits(mark_bits));
    let premium = fill
        .checked_sub(mark)
        .and_then(|d| d.checked_div(mark))
        .unwrap_or(I80F48::ZERO);
    text(premium)
}

/// Looks up the wallet of a sub-account (text), NULL when unknown.
fn owner_of(owners: &HashMap<String, String>, sub_account: &str) -> Value {
    owners
        .get(sub_account)
        .map_or(Value::NullText, |o| text(o.clone()))
}

/// The fill columns every fill kind shares, for one of them.
struct FillColumns {
    kind: &'static str,
    base_delta: i64,
    base_after: Value,
    price_bits: i128,
    mark_bits: i128,
    fee: u64,
    protocol_fee: u64,
    keeper_fee: u64,
    penalty: u64,
    realized_pnl: i64,
    collateral_after: Value,
}

fn fill_row(
    owners: &HashMap<String, String>,
    sub_account: String,
    market_index: u16,
    f: FillColumns,
) -> Result<Row, TooLarge> {
    Ok(Row {
        table: "fills",
        columns: vec![
            ("owner", owner_of(owners, &sub_account)),
            ("sub_account", text(sub_account)),
            ("market_index", int(market_index)),
            ("kind", text(f.kind)),
            ("base_delta", int(f.base_delta)),
            ("base_after", f.base_after),
            ("price", price(f.price_bits)),
            ("mark", price(f.mark_bits)),
            ("premium", premium(f.price_bits, f.mark_bits)),
            ("fee", uint(f.fee)?),
            ("protocol_fee", uint(f.protocol_fee)?),
            ("keeper_fee", uint(f.keeper_fee)?),
            ("penalty", uint(f.penalty)?),
            ("realized_pnl", int(f.realized_pnl)),
            ("collateral_after", f.collateral_after),
        ],
    })
}

fn transfer_row(
    owners: &HashMap<String, String>,
    sub_account: String,
    kind: &'static str,
    amount: u64,
    counterparty: Value,
    collateral_after: Value,
    side: i64,
) -> Result<Row, TooLarge> {
    Ok(Row {
        table: "transfers",
        columns: vec![
            ("owner", owner_of(owners, &sub_account)),
            ("sub_account", text(sub_account)),
            ("kind", text(kind)),
            ("amount", uint(amount)?),
            ("counterparty", counterparty),
            ("collateral_after", collateral_after),
            ("side", int(side)),
        ],
    })
}

fn lp_row(owner: String, kind: &'static str, e: [u64; 4]) -> Result<Row, TooLarge> {
    Ok(Row {
        table: "lp_flows",
        columns: vec![
            ("owner", text(owner)),
            ("kind", text(kind)),
            ("amount", uint(e[0])?),
            ("shares", uint(e[1])?),
            ("pool_balance", uint(e[2])?),
            ("total_shares", uint(e[3])?),
        ],
    })
}

/// The rows `event` stores, given the sub-accounts' wallets known so far (a
/// `SubAccountCreated` earlier in the same transaction included).
pub fn rows(event: &Event, owners: &HashMap<String, String>) -> Result<Vec<Row>, TooLarge> {
    use Event as E;
    let one = |row: Result<Row, TooLarge>| row.map(|r| vec![r]);
    match event {
        E::SubAccountCreated(e) => {
            let (mode, market) = match e.mode {
                SubAccountMode::Cross => ("cross", Value::NullInt),
                SubAccountMode::Isolated { market_index } => ("isolated", int(market_index)),
            };
            Ok(vec![Row {
                table: "sub_accounts",
                columns: vec![
                    ("sub_account", text(e.sub_account)),
                    ("owner", text(e.owner)),
                    ("sub_id", int(e.id)),
                    ("mode", text(mode)),
                    ("market_index", market),
                ],
            }])
        }
        E::PositionOpened(e) => one(fill_row(
            owners,
            e.sub_account.to_string(),
            e.market_index,
            FillColumns {
                kind: "open",
                base_delta: e.base_delta,
                base_after: int(e.base),
                price_bits: e.fill_price_bits,
                mark_bits: e.mark_bits,
                fee: e.fee,
                protocol_fee: e.protocol_fee,
                keeper_fee: 0,
                penalty: 0,
                realized_pnl: 0,
                collateral_after: int(e.collateral),
            },
        )),
        E::PositionClosed(e) => one(fill_row(
            owners,
            e.sub_account.to_string(),
            e.market_index,
            FillColumns {
                kind: "close",
                base_delta: e.base_delta,
                base_after: int(e.base),
                price_bits: e.fill_price_bits,
                mark_bits: e.mark_bits,
                fee: e.fee,
                protocol_fee: e.protocol_fee,
                keeper_fee: 0,
                penalty: 0,
                realized_pnl: e.realized_pnl,
                collateral_after: int(e.collateral),
            },
        )),
        E::TriggerExecuted(e) => one(fill_row(
            owners,
            e.sub_account.to_string(),
            e.market_index,
            FillColumns {
                kind: "trigger",
                base_delta: -e.closed,
                base_after: Value::NullInt,
                price_bits: e.fill_price_bits,
                mark_bits: e.mark_bits,
                fee: e.taker_fee,
                protocol_fee: e.protocol_fee,
                keeper_fee: e.keeper_fee,
                penalty: 0,
                realized_pnl: e.realized_pnl,
                collateral_after: Value::NullInt,
            },
        )),
        E::OrderExecuted(e) => one(fill_row(
            owners,
            e.sub_account.to_string(),
            e.market_index,
            FillColumns {
                kind: "limit",
                base_delta: e.base_delta,
                base_after: int(e.base),
                price_bits: e.fill_price_bits,
                mark_bits: e.mark_bits,
                fee: e.fee,
                protocol_fee: e.protocol_fee,
                keeper_fee: e.keeper_fee,
                penalty: 0,
                realized_pnl: e.realized_pnl,
                collateral_after: int(e.collateral),
            },
        )),
        E::Liquidated(e) => liquidation_rows(e, owners),
        E::FundingSettled(e) => {
            let sub = e.sub_account.to_string();
            Ok(vec![Row {
                table: "funding_payments",
                columns: vec![
                    ("owner", owner_of(owners, &sub)),
                    ("sub_account", text(sub)),
                    ("market_index", int(e.market_index)),
                    ("paid", int(e.paid)),
                    ("collateral_after", int(e.collateral)),
                ],
            }])
        }
        E::FundingAccrued(e) => Ok(vec![Row {
            table: "funding_accruals",
            columns: vec![
                ("market_index", int(e.market_index)),
                ("hourly_rate", price(e.rate_bits)),
                ("cumulative_index", price(e.index_bits)),
                ("seconds", int(e.seconds)),
                ("pool_funding", int(e.pool_funding)),
            ],
        }]),
        E::BankruptcyResolved(e) => {
            let sub = e.sub_account.to_string();
            Ok(vec![Row {
                table: "bankruptcies",
                columns: vec![
                    ("owner", owner_of(owners, &sub)),
                    ("sub_account", text(sub)),
                    ("deficit", uint(e.deficit)?),
                    ("insurance_paid", uint(e.insurance_paid)?),
                    ("pool_absorbed", uint(e.pool_absorbed)?),
                ],
            }])
        }
        E::Deposited(e) => one(transfer_row(
            owners,
            e.sub_account.to_string(),
            "deposit",
            e.amount,
            Value::NullText,
            int(e.collateral),
            0,
        )),
        E::Withdrawn(e) => one(transfer_row(
            owners,
            e.sub_account.to_string(),
            "withdraw",
            e.amount,
            text(e.destination),
            int(e.collateral),
            0,
        )),
        E::MarginMoved(e) => Ok(vec![
            transfer_row(
                owners,
                e.source.to_string(),
                "margin_out",
                e.amount,
                text(e.destination),
                int(e.source_collateral),
                0,
            )?,
            transfer_row(
                owners,
                e.destination.to_string(),
                "margin_in",
                e.amount,
                text(e.source),
                int(e.destination_collateral),
                1,
            )?,
        ]),
        E::ClaimRedeemed(e) => one(transfer_row(
            owners,
            e.sub_account.to_string(),
            "claim",
            e.amount,
            Value::NullText,
            Value::NullInt,
            0,
        )),
        E::PoolDeposited(e) => one(lp_row(
            e.owner.to_string(),
            "deposit",
            [e.amount, e.shares, e.pool_balance, e.total_shares],
        )),
        E::PoolWithdrawn(e) => one(lp_row(
            e.owner.to_string(),
            "withdraw",
            [e.amount, e.shares, e.pool_balance, e.total_shares],
        )),
        other => Ok(vec![other_row(other)]),
    }
}

fn liquidation_rows(
    e: &ringfence::events::Liquidated,
    owners: &HashMap<String, String>,
) -> Result<Vec<Row>, TooLarge> {
    let sub = e.sub_account.to_string();
    let fill = fill_row(
        owners,
        sub.clone(),
        e.market_index,
        FillColumns {
            kind: "liquidation",
            base_delta: -e.closed,
            base_after: Value::NullInt,
            price_bits: e.fill_price_bits,
            mark_bits: e.mark_bits,
            fee: 0,
            protocol_fee: 0,
            keeper_fee: 0,
            penalty: e.penalty,
            realized_pnl: e.realized_pnl,
            collateral_after: int(e.collateral),
        },
    )?;
    let liquidation = Row {
        table: "liquidations",
        columns: vec![
            ("owner", owner_of(owners, &sub)),
            ("sub_account", text(sub)),
            ("market_index", int(e.market_index)),
            ("liquidator", text(e.liquidator)),
            ("closed", int(e.closed)),
            ("mark", price(e.mark_bits)),
            ("price", price(e.fill_price_bits)),
            ("realized_pnl", int(e.realized_pnl)),
            ("penalty", uint(e.penalty)?),
            ("liquidator_reward", uint(e.liquidator_reward)?),
            ("insurance_fee", uint(e.insurance_fee)?),
            ("bankruptcy_bounty", uint(e.bankruptcy_bounty)?),
            ("collateral_after", int(e.collateral)),
            ("still_liquidating", int(i64::from(e.being_liquidated))),
        ],
    };
    Ok(vec![fill, liquidation])
}

/// Any other event: its name, the sub-account or market it concerns, and its fields.
fn other_row(event: &Event) -> Row {
    use Event as E;
    let (sub_account, market_index) = match event {
        E::TriggersSet(e) => (text(e.sub_account), int(e.market_index)),
        E::DelegateSet(e) => (text(e.sub_account), Value::NullInt),
        E::OrderPlaced(e) => (text(e.sub_account), int(e.market_index)),
        E::OrderRemoved(e) => (text(e.sub_account), int(e.market_index)),
        E::MarketCreated(e) => (Value::NullText, int(e.index)),
        E::MarketUpdateProposed(e) => (Value::NullText, int(e.index)),
        E::MarketUpdateCancelled(e) => (Value::NullText, int(e.index)),
        E::MarketUpdated(e) => (Value::NullText, int(e.index)),
        E::MarketStatusSet(e) => (Value::NullText, int(e.index)),
        E::FundingRemainderSwept(e) => (Value::NullText, int(e.index)),
        E::StubPriceSet(e) => (Value::NullText, int(e.market_index)),
        _ => (Value::NullText, Value::NullInt),
    };
    let detail = format!("{event:?}");
    Row {
        table: "other_events",
        columns: vec![
            ("kind", text(event.name())),
            ("sub_account", sub_account),
            ("market_index", market_index),
            ("detail", text(detail)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use ringfence::events as ev;

    fn bits(x: i64) -> i128 {
        I80F48::from_num(x).to_bits()
    }

    #[test]
    fn a_close_stores_price_mark_premium_and_amounts_with_the_wallet() {
        let sub = Pubkey::new_from_array([3; 32]);
        let owner = Pubkey::new_from_array([4; 32]);
        let owners = HashMap::from([(sub.to_string(), owner.to_string())]);
        let event = Event::PositionClosed(ev::PositionClosed {
            sub_account: sub,
            market_index: 1,
            base_delta: -500,
            fill_price_bits: bits(2_990),
            mark_bits: bits(3_000),
            realized_pnl: -7_000_000,
            fee: 1_495_000,
            protocol_fee: 299_000,
            base: 300,
            collateral: 12,
        });
        let rows = rows(&event, &owners).unwrap();
        let get = |name: &str| {
            rows[0]
                .columns
                .iter()
                .find(|(c, _)| *c == name)
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(rows[0].table, "fills");
        assert_eq!(get("owner"), text(owner));
        assert_eq!(get("kind"), text("close"));
        assert_eq!(get("price"), text("2990"));
        // (2,990 − 3,000) / 3,000 = −1/300, to I80F48's 48 fractional bits.
        let premium = get("premium");
        let Value::Text(p) = premium else { panic!() };
        assert!(p.starts_with("-0.0033333333"), "{p}");
        assert_eq!(get("fee"), Value::Int(1_495_000));
        assert_eq!(get("realized_pnl"), Value::Int(-7_000_000));
    }

    #[test]
    fn a_margin_move_is_two_transfers_and_an_unknown_wallet_is_null() {
        let (a, b) = (
            Pubkey::new_from_array([1; 32]),
            Pubkey::new_from_array([2; 32]),
        );
        let event = Event::MarginMoved(ev::MarginMoved {
            source: a,
            destination: b,
            amount: 5,
            source_collateral: 10,
            destination_collateral: 15,
        });
        let rows = rows(&event, &HashMap::new()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].columns[0], ("owner", Value::NullText));
        assert_eq!(rows[1].columns[2], ("kind", text("margin_in")));
    }

    #[test]
    fn an_amount_beyond_bigint_is_refused_not_wrapped() {
        let event = Event::PoolDeposited(ev::PoolDeposited {
            owner: Pubkey::new_from_array([1; 32]),
            amount: u64::MAX,
            shares: 1,
            pool_balance: 1,
            total_shares: 1,
        });
        assert_eq!(rows(&event, &HashMap::new()), Err(TooLarge(u64::MAX)));
    }
}
