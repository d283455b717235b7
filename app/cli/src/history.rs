//! `history` and `pnl`: what the indexer (app/indexer) stored for the wallet, as tables.

use crate::{CliResult, Session};
use ringfence::math::I80F48;
use ringfence_sdk::accounts::{market_name, price, usd};
use ringfence_sdk::builders;
use serde_json::Value;
use std::collections::HashMap;

/// What `history` and `pnl` filter by.
pub struct HistoryArgs {
    /// The indexer's base URL.
    pub indexer: String,
    /// One sub-account id of the wallet (all when `None`).
    pub sub: Option<u16>,
    /// One market, index or name.
    pub market: Option<String>,
    /// From: unix seconds, a UTC date (2026-12-01), or an age (36h, 7d).
    pub since: Option<String>,
    /// Rows per table.
    pub limit: u32,
}

/// Unix seconds from `text`: seconds, `YYYY-MM-DD` (UTC midnight), or `<n>h` / `<n>d` before
/// `now`.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let bad =
        || format!("--since {text:?}: use unix seconds, YYYY-MM-DD, or an age like 36h or 7d");
    if let Some(hours) = text.strip_suffix('h') {
        return Ok(now - hours.parse::<i64>().map_err(|_| bad())? * 3_600);
    }
    if let Some(days) = text.strip_suffix('d') {
        return Ok(now - days.parse::<i64>().map_err(|_| bad())? * 86_400);
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let (y, m, d) = (
        y.parse::<i64>().map_err(|_| bad())?,
        m.parse::<i64>().map_err(|_| bad())?,
        d.parse::<i64>().map_err(|_| bad())?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d) * 86_400)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD HH:MM` (UTC) of unix seconds.
pub fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3_600,
        secs % 3_600 / 60
    )
}

/// The query string for the wallet (or one of its sub-accounts), market and time.
async fn scope(session: &Session, args: &HistoryArgs) -> Result<(String, Names), String> {
    let names = Names::load(session).await?;
    let mut query = match args.sub {
        Some(id) => format!(
            "sub_account={}",
            builders::sub_account_pda(&session.owner, id)
        ),
        None => format!("owner={}", session.owner),
    };
    if let Some(market) = &args.market {
        let index = names.index_of(market)?;
        query += &format!("&market={index}");
    }
    if let Some(since) = &args.since {
        let now = session.client.now().await.map_err(|e| e.to_string())?;
        query += &format!("&since={}", parse_since(since, now)?);
    }
    Ok((query, names))
}

/// Market names by index, and the wallet's sub-account ids by address.
struct Names {
    markets: HashMap<i64, String>,
    subs: HashMap<String, u16>,
}

impl Names {
    async fn load(session: &Session) -> Result<Self, String> {
        let markets = session.client.markets().await.map_err(|e| e.to_string())?;
        let subs = session
            .client
            .sub_accounts_of(&session.owner)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            markets: markets
                .iter()
                .map(|m| (i64::from(m.market.index), market_name(&m.market)))
                .collect(),
            subs: subs
                .iter()
                .map(|(key, view)| (key.to_string(), view.header.id))
                .collect(),
        })
    }

    fn index_of(&self, text: &str) -> Result<i64, String> {
        self.markets
            .iter()
            .find(|(i, name)| {
                text.parse::<i64>().ok() == Some(**i) || name.eq_ignore_ascii_case(text)
            })
            .map(|(i, _)| *i)
            .ok_or_else(|| format!("no market {text:?}"))
    }

    fn market(&self, row: &Value) -> String {
        let index = row["market_index"].as_i64().unwrap_or(-1);
        self.markets
            .get(&index)
            .cloned()
            .unwrap_or(index.to_string())
    }

    fn sub(&self, row: &Value) -> String {
        let key = row["sub_account"].as_str().unwrap_or("");
        match self.subs.get(key) {
            Some(id) => id.to_string(),
            None => format!("{}…", &key[..key.len().min(6)]),
        }
    }
}

async fn get(indexer: &str, path: &str) -> Result<Value, String> {
    let url = format!("{}{path}", indexer.trim_end_matches('/'));
    let response = reqwest::get(&url).await.map_err(|e| {
        format!("the indexer at {indexer} did not answer ({e}); start it with ringfence-indexer")
    })?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!(
            "indexer: {}",
            body["error"].as_str().unwrap_or("error")
        ));
    }
    Ok(body)
}

fn int(row: &Value, column: &str) -> i128 {
    i128::from(row[column].as_i64().unwrap_or(0))
}

fn time(row: &Value) -> String {
    row["block_time"].as_i64().map_or("-".into(), utc)
}

/// A base amount in atoms as whole units, exact.
fn size(atoms: i128) -> String {
    let sign = if atoms < 0 { "-" } else { "" };
    let atoms = atoms.unsigned_abs();
    format!(
        "{sign}{}.{:09}",
        atoms / 1_000_000_000,
        atoms % 1_000_000_000
    )
    .trim_end_matches('0')
    .trim_end_matches('.')
    .to_string()
}

fn dollars_per_unit(text: &Value) -> String {
    text.as_str()
        .and_then(|t| I80F48::from_str(t).ok())
        .map_or("-".into(), |p| format!("${}", price(p)))
}

/// `ringfence history`: fills, funding, liquidations and transfers, newest first.
pub async fn history(session: &Session, args: HistoryArgs) -> CliResult {
    let (query, names) = scope(session, &args).await?;
    let limit = args.limit;
    let fills = get(&args.indexer, &format!("/v1/fills?{query}&limit={limit}")).await?;
    println!("Fills");
    println!(
        "{:<16} {:>4} {:<9} {:<11} {:>13} {:>13} {:>10} {:>12}",
        "time (UTC)", "sub", "market", "kind", "size", "price", "fee", "realized"
    );
    for row in fills["items"].as_array().into_iter().flatten() {
        let fee = int(row, "fee") + int(row, "penalty") + int(row, "keeper_fee");
        println!(
            "{:<16} {:>4} {:<9} {:<11} {:>13} {:>13} {:>10} {:>12}",
            time(row),
            names.sub(row),
            names.market(row),
            row["kind"].as_str().unwrap_or(""),
            size(int(row, "base_delta")),
            dollars_per_unit(&row["price"]),
            usd(fee),
            usd(int(row, "realized_pnl")),
        );
    }
    let funding = get(&args.indexer, &format!("/v1/funding?{query}&limit={limit}")).await?;
    println!("\nFunding (paid > 0, received < 0)");
    println!(
        "{:<16} {:>4} {:<9} {:>12}",
        "time (UTC)", "sub", "market", "paid"
    );
    for row in funding["items"].as_array().into_iter().flatten() {
        println!(
            "{:<16} {:>4} {:<9} {:>12}",
            time(row),
            names.sub(row),
            names.market(row),
            usd(int(row, "paid"))
        );
    }
    let liquidations = get(
        &args.indexer,
        &format!("/v1/liquidations?{query}&limit={limit}"),
    )
    .await?;
    println!("\nLiquidations");
    println!(
        "{:<16} {:>4} {:<9} {:>13} {:>13} {:>12} {:>10}",
        "time (UTC)", "sub", "market", "closed", "mark", "realized", "penalty"
    );
    for row in liquidations["items"].as_array().into_iter().flatten() {
        println!(
            "{:<16} {:>4} {:<9} {:>13} {:>13} {:>12} {:>10}",
            time(row),
            names.sub(row),
            names.market(row),
            size(int(row, "closed")),
            dollars_per_unit(&row["mark"]),
            usd(int(row, "realized_pnl")),
            usd(int(row, "penalty")),
        );
    }
    if args.market.is_none() {
        let transfers = get(
            &args.indexer,
            &format!("/v1/transfers?{query}&limit={limit}"),
        )
        .await?;
        println!("\nDeposits, withdrawals and margin moves");
        println!(
            "{:<16} {:>4} {:<11} {:>12}",
            "time (UTC)", "sub", "kind", "amount"
        );
        for row in transfers["items"].as_array().into_iter().flatten() {
            println!(
                "{:<16} {:>4} {:<11} {:>12}",
                time(row),
                names.sub(row),
                row["kind"].as_str().unwrap_or(""),
                usd(int(row, "amount"))
            );
        }
    }
    Ok(())
}

/// `ringfence pnl`: realized PnL, fees and funding per sub-account and market, and the total.
pub async fn pnl(session: &Session, args: HistoryArgs) -> CliResult {
    let (query, names) = scope(session, &args).await?;
    let pnl = get(&args.indexer, &format!("/v1/pnl?{query}")).await?;
    let header = format!(
        "{:>4} {:<9} {:>6} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "sub", "market", "fills", "realized", "fees", "penalties", "keeper", "funding", "net"
    );
    println!("{header}");
    let line = |sub: String, market: String, row: &Value| {
        println!(
            "{:>4} {:<9} {:>6} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12}",
            sub,
            market,
            int(row, "fills"),
            usd(int(row, "realized_pnl")),
            usd(int(row, "fees")),
            usd(int(row, "penalties")),
            usd(int(row, "keeper_fees")),
            usd(int(row, "funding_paid")),
            usd(int(row, "net")),
        )
    };
    for row in pnl["rows"].as_array().into_iter().flatten() {
        line(names.sub(row), names.market(row), row);
    }
    line("all".into(), String::new(), &pnl["total"]);
    println!("\nnet = realized − fees − penalties − keeper fees − funding paid (dollars)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_seconds_dates_and_ages() {
        assert_eq!(parse_since("1700000000", 0), Ok(1_700_000_000));
        // 2026-12-01 is 20,788 days after 1970-01-01.
        assert_eq!(parse_since("2026-12-01", 0), Ok(20_788 * 86_400));
        assert_eq!(parse_since("36h", 1_000_000), Ok(1_000_000 - 129_600));
        assert_eq!(parse_since("7d", 1_000_000), Ok(1_000_000 - 604_800));
        assert!(parse_since("yesterday", 0).is_err());
        assert!(parse_since("2026-13-01", 0).is_err());
    }

    #[test]
    fn utc_prints_dates_and_sizes_print_exactly() {
        assert_eq!(utc(20_788 * 86_400 + 3_660), "2026-12-01 01:01");
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(size(-40_000_000), "-0.04");
        assert_eq!(size(2_000_000_000), "2");
    }
}
