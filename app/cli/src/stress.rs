//! `stress`: what a price shock would do to the wallet's sub-accounts, with the program's own
//! liquidation code (`ringfence_sdk::stress`), and the same positions in the other mode.

use crate::trader::{find_market, markets_now};
use crate::{CliResult, Session};
use ringfence::math::I80F48;
use ringfence_sdk::accounts::{market_name, price, usd, usd_fixed};

/// Quote native units as `$1,234.56` or `-$193.97`.
fn dollars(native: I80F48) -> String {
    let text = usd_fixed(native);
    match text.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None => format!("${text}"),
    }
}
use ringfence_sdk::client::PricedMarket;
use ringfence_sdk::stress::{
    as_isolated, as_one_cross, holdings, run, Book, Holding, Outcome, Scenario,
};
use serde_json::{json, Value};

/// What to shock.
pub struct StressArgs {
    /// `MARKET=PCT` moves (`BTC-PERP=-12%`).
    pub shocks: Vec<String>,
    /// A correlated move of every market (`-15%`).
    pub correlated: Option<String>,
    /// `MARKET=BETA` for the correlated move (default 1).
    pub betas: Vec<String>,
    /// Steps separated by `;`, each `MARKET=PCT,…` from the start (`BTC-PERP=-5%;BTC-PERP=-12%`).
    pub path: Option<String>,
    /// A built-in scenario.
    pub preset: Option<String>,
    /// Print JSON.
    pub json: bool,
}

/// Basis points from a percentage like `-12%`, `-12.5` or `+5%`.
pub fn parse_bps(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?}: use a percentage like -12% or 2.5%");
    let body = text.trim().trim_end_matches('%');
    let (negative, digits) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    let hundredths = crate::amounts::parse_decimal(digits, 2).map_err(|_| bad())?;
    let bps = i64::try_from(hundredths).map_err(|_| bad())?;
    if bps > 1_000_000 || (negative && bps >= 10_000) {
        return Err(format!("{text:?}: a price can fall by less than 100%"));
    }
    Ok(if negative { -bps } else { bps })
}

fn pairs(
    markets: &[PricedMarket],
    items: &str,
    value: fn(&str) -> Result<i64, String>,
) -> Result<Vec<(u16, i64)>, String> {
    items
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (name, amount) = item
                .split_once('=')
                .ok_or_else(|| format!("{item:?}: use MARKET=VALUE"))?;
            Ok((
                find_market(markets, name.trim())?.market.index,
                value(amount)?,
            ))
        })
        .collect()
}

fn beta(text: &str) -> Result<i64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("beta {text:?}: use a number like 1.2"))?;
    if !(0.0..=10.0).contains(&value) {
        return Err(format!("beta {text:?}: between 0 and 10"));
    }
    Ok((value * 10_000.0).round() as i64)
}

/// The scenario `args` describe.
pub fn scenario(markets: &[PricedMarket], args: &StressArgs) -> Result<Scenario, String> {
    let all: Vec<u16> = markets.iter().map(|m| m.market.index).collect();
    let named = |text: &str| pairs(markets, text, parse_bps);
    if let Some(preset) = &args.preset {
        return match preset.as_str() {
            "btc-12" => Ok(Scenario::shock(&all, &named("BTC-PERP=-12%")?, 0, &[])),
            "eth-wick" => Ok(Scenario {
                steps: vec![named("ETH-PERP=-25%")?, named("ETH-PERP=-5%")?],
            }),
            "correlated-20" => Ok(Scenario::shock(&all, &[], -2_000, &[])),
            other => Err(format!(
                "no preset {other:?}: one of btc-12, eth-wick, correlated-20"
            )),
        };
    }
    if let Some(path) = &args.path {
        let steps = path.split(';').map(named).collect::<Result<Vec<_>, _>>()?;
        return Ok(Scenario { steps });
    }
    let shocks = named(&args.shocks.join(","))?;
    let factor = args
        .correlated
        .as_deref()
        .map(parse_bps)
        .transpose()?
        .unwrap_or(0);
    let betas = pairs(markets, &args.betas.join(","), beta)?;
    if shocks.is_empty() && factor == 0 {
        return Err(
            "say what moves: --shock MARKET=PCT, --correlated PCT, --path or --preset".into(),
        );
    }
    Ok(Scenario::shock(&all, &shocks, factor, &betas))
}

/// `stress`.
pub async fn stress(session: &Session, args: StressArgs) -> CliResult {
    let (markets, now) = markets_now(session).await?;
    let scenario = scenario(&markets, &args)?;
    let describe = |e: ringfence_sdk::client::ClientError| ringfence_sdk::errors::describe(&e);
    let exchange = session
        .client
        .exchange()
        .await
        .map_err(describe)?
        .ok_or("no exchange")?;
    let pool = session
        .client
        .pool()
        .await
        .map_err(describe)?
        .ok_or("no pool")?;
    let book = Book::from_read(&markets, exchange, pool, now);
    let holdings = holdings(
        session
            .client
            .sub_accounts_of(&session.owner)
            .await
            .map_err(describe)?,
    );
    for holding in &holdings {
        for position in holding.positions.iter().filter(|p| p.is_open()) {
            let market = markets
                .iter()
                .find(|m| m.market.index == position.market_index);
            if let Some(Err(reason)) = market.map(|m| &m.mark) {
                return Err(format!(
                    "no usable price for market {}: {reason}",
                    position.market_index
                ));
            }
        }
    }
    if holdings.is_empty() {
        return Err(format!("{} has no open positions to stress", session.owner));
    }
    let words = |e| ringfence_sdk::errors::describe_program_error(&e);
    let outcome = run(&book, &holdings, &scenario)
        .map_err(|e| format!("the scenario failed: {}", words(e)))?;
    let cross = as_one_cross(&book, &holdings)
        .and_then(|c| run(&book, &[c], &scenario))
        .map_err(words);
    let isolated = as_isolated(&book, &holdings)
        .and_then(|s| run(&book, &s, &scenario))
        .map_err(words);
    let name = |index: u16| {
        markets
            .iter()
            .find(|m| m.market.index == index)
            .map_or(index.to_string(), |m| market_name(&m.market))
    };
    if args.json {
        let other = |o: &Result<Outcome, String>| {
            o.as_ref().map_or(Value::Null, |o| outcome_json(o, &name))
        };
        let value = json!({ "actual": outcome_json(&outcome, &name), "one_cross": other(&cross), "each_isolated": other(&isolated) });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    print_outcome("Your sub-accounts", &outcome, &holdings, &name);
    match &cross {
        Ok(o) => println!(
            "All positions in one cross sub-account: the wallet loses {}",
            loss(o)
        ),
        Err(e) => println!("All positions in one cross sub-account: not possible ({e})"),
    }
    if let Ok(o) = &isolated {
        println!(
            "Each position isolated with its initial margin, the rest free: the wallet loses {}",
            loss(o)
        );
    }
    Ok(())
}

fn loss(outcome: &Outcome) -> String {
    let liquidated: usize = outcome
        .steps
        .iter()
        .flat_map(|s| &s.accounts)
        .map(|a| a.closures.len())
        .sum();
    format!(
        "{} ({liquidated} liquidations)",
        dollars(outcome.total_loss)
    )
}

fn mode(holding: &Holding, name: &dyn Fn(u16) -> String) -> String {
    if holding.header.mode == 1 {
        format!("isolated {}", name(holding.header.isolated_market))
    } else {
        "cross".into()
    }
}

fn print_outcome(
    title: &str,
    outcome: &Outcome,
    holdings: &[Holding],
    name: &dyn Fn(u16) -> String,
) {
    println!("{title}");
    for (number, step) in outcome.steps.iter().enumerate() {
        let marks: Vec<String> = step
            .marks
            .iter()
            .map(|(i, m)| format!("{} ${}", name(*i), price(*m)))
            .collect();
        println!("step {}: {}", number + 1, marks.join(", "));
        println!(
            "  {:<4} {:<18} {:>14} {:>14} {:>14}  liquidations",
            "sub", "mode", "equity before", "maintenance", "equity after"
        );
        for (account, holding) in step.accounts.iter().zip(holdings) {
            let closures: Vec<String> = account
                .closures
                .iter()
                .map(|c| {
                    let size = I80F48::from_num(c.closed.unsigned_abs())
                        / I80F48::from_num(ringfence_sdk::presets::BASE_UNIT);
                    let kind = if c.bankrupt { ", bankrupt" } else { "" };
                    format!(
                        "{} {} at ${} (penalty ${}{kind})",
                        name(c.market_index),
                        size,
                        price(c.fill_price),
                        usd(i128::from(c.penalty))
                    )
                })
                .collect();
            let closures = if closures.is_empty() {
                "none".to_string()
            } else {
                closures.join("; ")
            };
            println!(
                "  #{:<3} {:<18} {:>14} {:>14} {:>14}  {closures}",
                holding.header.id,
                mode(holding, name),
                dollars(account.equity_before),
                dollars(account.maintenance_before),
                dollars(account.equity_after),
            );
        }
    }
    println!("The wallet loses {}", loss(outcome));
}

fn outcome_json(outcome: &Outcome, name: &dyn Fn(u16) -> String) -> Value {
    let fixed = |v: I80F48| v.to_num::<i128>().to_string();
    let steps: Vec<Value> = outcome
        .steps
        .iter()
        .map(|step| {
            let accounts: Vec<Value> = step.accounts.iter().map(|a| {
                let closures: Vec<Value> = a.closures.iter().map(|c| json!({
                    "market": name(c.market_index), "closed_atoms": c.closed, "fill_price": price(c.fill_price),
                    "realized_pnl": c.realized_pnl, "penalty": c.penalty, "bankrupt": c.bankrupt,
                })).collect();
                json!({ "sub_account": a.key.to_string(), "equity_before": fixed(a.equity_before),
                    "maintenance_before": fixed(a.maintenance_before), "equity_after": fixed(a.equity_after),
                    "collateral_after": a.collateral_after, "positions_left": a.positions_left, "complete": a.complete, "liquidations": closures })
            }).collect();
            let marks: Vec<Value> = step.marks.iter().map(|(i, m)| json!({ "market": name(*i), "mark": price(*m) })).collect();
            json!({ "marks": marks, "accounts": accounts })
        })
        .collect();
    json!({ "steps": steps, "total_loss": fixed(outcome.total_loss), "units": "quote native (1e-6 USD)" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_become_basis_points_and_impossible_falls_are_refused() {
        assert_eq!(parse_bps("-12%"), Ok(-1_200));
        assert_eq!(parse_bps("-12.5"), Ok(-1_250));
        assert_eq!(parse_bps("+5%"), Ok(500));
        assert_eq!(parse_bps("0.01%"), Ok(1));
        for bad in ["-100%", "-150%", "abc", "1e2", "-12.345%", ""] {
            assert!(parse_bps(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn betas_are_basis_points_of_the_factor() {
        assert_eq!(beta("1.2"), Ok(12_000));
        assert_eq!(beta("0"), Ok(0));
        assert!(beta("-1").is_err() && beta("x").is_err() && beta("11").is_err());
    }
}
