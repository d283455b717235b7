//! The HTTP JSON API (docs/INDEXER.md): history lists with paging and time ranges, realized
//! PnL, fee and funding totals, the pool's earnings per day, and the indexer's status.

use crate::store::{row_json, Store};
use crate::Stats;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sqlx::Row as _;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_http::cors::CorsLayer;

/// Rows per page when `limit` is not given, and the most a page may hold.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1_000;

#[derive(Clone)]
struct Api {
    store: Store,
    stats: Arc<Stats>,
}

/// The router: `/health`, `/v1/{fills,funding,liquidations,transfers,bankruptcies,lp,events}`,
/// `/v1/transactions/{signature}`, `/v1/pnl`, `/v1/pool/earnings`; CORS open (the page reads it from another port).
pub fn router(store: Store, stats: Arc<Stats>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/fills", get(|s, q| list(s, q, "fills")))
        .route("/v1/funding", get(|s, q| list(s, q, "funding_payments")))
        .route("/v1/liquidations", get(|s, q| list(s, q, "liquidations")))
        .route("/v1/transfers", get(|s, q| list(s, q, "transfers")))
        .route("/v1/bankruptcies", get(|s, q| list(s, q, "bankruptcies")))
        .route("/v1/lp", get(|s, q| list(s, q, "lp_flows")))
        .route("/v1/events", get(|s, q| list(s, q, "other_events")))
        .route("/v1/transactions/{signature}", get(transaction))
        .route("/v1/pnl", get(pnl))
        .route("/v1/pool/earnings", get(pool_earnings))
        .layer(CorsLayer::permissive())
        .with_state(Api { store, stats })
}

/// Filters every list takes; each one only where its table has the column.
#[derive(Debug, Default, Deserialize)]
struct Filter {
    /// A sub-account address.
    sub_account: Option<String>,
    /// A wallet: every sub-account of it (LP flows: the LP).
    owner: Option<String>,
    /// A market index.
    market: Option<i64>,
    /// An event kind (fills: open, close, trigger, liquidation; transfers: deposit, …).
    kind: Option<String>,
    /// From this block time on (unix seconds, inclusive).
    since: Option<i64>,
    /// Before this block time (unix seconds, exclusive).
    until: Option<i64>,
    /// Rows with an id below this (the previous page's `next_before`).
    before: Option<i64>,
    /// Rows per page (default 100, at most 1,000).
    limit: Option<i64>,
}

/// An error as `{"error": …}` with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

/// Which filter columns each table has.
fn has_column(table: &str, column: &str) -> bool {
    match column {
        "sub_account" => table != "lp_flows",
        "owner" => table != "other_events",
        "market_index" => matches!(
            table,
            "fills" | "funding_payments" | "liquidations" | "other_events"
        ),
        "kind" => matches!(table, "fills" | "transfers" | "lp_flows" | "other_events"),
        _ => false,
    }
}

/// `WHERE …` over `filter` for `table`, with its parameters; an unsupported filter is a 400.
fn where_clause(table: &str, filter: &Filter) -> Result<(String, Vec<Param>), ApiError> {
    let mut clauses = Vec::new();
    let mut params = Vec::new();
    let mut add = |column: &str, op: &str, param: Param| -> Result<(), ApiError> {
        let filterable = has_column(table, column) || matches!(column, "block_time" | "id");
        if !filterable {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("{table} cannot be filtered by {column}"),
            ));
        }
        params.push(param);
        clauses.push(format!("{column} {op} ${}", params.len()));
        Ok(())
    };
    if let Some(v) = &filter.sub_account {
        add("sub_account", "=", Param::Text(v.clone()))?;
    }
    if let Some(v) = &filter.owner {
        add("owner", "=", Param::Text(v.clone()))?;
    }
    if let Some(v) = filter.market {
        add("market_index", "=", Param::Int(v))?;
    }
    if let Some(v) = &filter.kind {
        add("kind", "=", Param::Text(v.clone()))?;
    }
    if let Some(v) = filter.since {
        add("block_time", ">=", Param::Int(v))?;
    }
    if let Some(v) = filter.until {
        add("block_time", "<", Param::Int(v))?;
    }
    if let Some(v) = filter.before {
        add("id", "<", Param::Int(v))?;
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((sql, params))
}

enum Param {
    Int(i64),
    Text(String),
}

async fn fetch(
    store: &Store,
    sql: &str,
    params: Vec<Param>,
) -> Result<Vec<sqlx::any::AnyRow>, ApiError> {
    let mut query = sqlx::query(sql);
    for p in params {
        query = match p {
            Param::Int(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
        };
    }
    Ok(query.fetch_all(store.pool()).await?)
}

/// A page of `table`, newest first: `{"items": […], "next_before": id | null}`.
async fn list(
    State(api): State<Api>,
    Query(filter): Query<Filter>,
    table: &'static str,
) -> Result<Json<Value>, ApiError> {
    let limit = filter.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (clause, params) = where_clause(table, &filter)?;
    let sql = format!("SELECT * FROM {table}{clause} ORDER BY id DESC LIMIT {limit}");
    let rows = fetch(&api.store, &sql, params).await?;
    let items: Vec<Map<String, Value>> = rows.iter().map(row_json).collect();
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().and_then(|r| r.get("id").cloned()))
        .flatten();
    Ok(Json(json!({ "items": items, "next_before": next_before })))
}

/// Realized PnL, fees, penalties, keeper fees and funding per sub-account and market, for a
/// `sub_account` or an `owner` (required), within `since`/`until`; with totals.
async fn pnl(
    State(api): State<Api>,
    Query(filter): Query<Filter>,
) -> Result<Json<Value>, ApiError> {
    if filter.sub_account.is_none() && filter.owner.is_none() {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "pnl needs sub_account or owner".into(),
        ));
    }
    let scope = Filter {
        sub_account: filter.sub_account.clone(),
        owner: filter.owner.clone(),
        market: filter.market,
        since: filter.since,
        until: filter.until,
        ..Filter::default()
    };
    let (clause, params) = where_clause("fills", &scope)?;
    let fills = fetch(
        &api.store,
        &format!(
            "SELECT sub_account, market_index, COUNT(*) AS fills, \
             CAST(SUM(realized_pnl) AS BIGINT) AS realized_pnl, CAST(SUM(fee) AS BIGINT) AS fees, \
             CAST(SUM(penalty) AS BIGINT) AS penalties, CAST(SUM(keeper_fee) AS BIGINT) AS keeper_fees \
             FROM fills{clause} GROUP BY sub_account, market_index"
        ),
        params,
    )
    .await?;
    let (clause, params) = where_clause("funding_payments", &scope)?;
    let funding = fetch(
        &api.store,
        &format!(
            "SELECT sub_account, market_index, CAST(SUM(paid) AS BIGINT) AS funding_paid \
             FROM funding_payments{clause} GROUP BY sub_account, market_index"
        ),
        params,
    )
    .await?;
    let mut by_key: BTreeMap<(String, i64), [i64; 6]> = BTreeMap::new();
    for row in &fills {
        let entry = by_key
            .entry((row.try_get(0)?, row.try_get(1)?))
            .or_default();
        for (slot, column) in [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6)] {
            entry[slot] = row.try_get::<Option<i64>, _>(column)?.unwrap_or(0);
        }
    }
    for row in &funding {
        let entry = by_key
            .entry((row.try_get(0)?, row.try_get(1)?))
            .or_default();
        entry[5] = row.try_get::<Option<i64>, _>(2)?.unwrap_or(0);
    }
    let mut totals = [0i64; 6];
    let rows: Vec<Value> = by_key
        .iter()
        .map(|((sub, market), v)| {
            for (t, x) in totals.iter_mut().zip(v) {
                *t = t.saturating_add(*x);
            }
            pnl_json(Some((sub, *market)), v)
        })
        .collect();
    Ok(Json(
        json!({ "rows": rows, "total": pnl_json(None, &totals) }),
    ))
}

/// One PnL line; `net` = realized PnL − fees − penalties − keeper fees − funding paid.
fn pnl_json(key: Option<(&String, i64)>, v: &[i64; 6]) -> Value {
    let net = v[1]
        .saturating_sub(v[2])
        .saturating_sub(v[3])
        .saturating_sub(v[4])
        .saturating_sub(v[5]);
    let mut out = json!({
        "fills": v[0], "realized_pnl": v[1], "fees": v[2], "penalties": v[3],
        "keeper_fees": v[4], "funding_paid": v[5], "net": net,
    });
    if let Some((sub, market)) = key {
        out["sub_account"] = json!(sub);
        out["market_index"] = json!(market);
    }
    out
}

/// The pool's earnings per UTC day (block time / 86,400): its share of taker fees, minus the
/// traders' realized PnL (their losses are its gains), plus the funding it received, minus
/// the deficits it absorbed in bankruptcies.
async fn pool_earnings(
    State(api): State<Api>,
    Query(filter): Query<Filter>,
) -> Result<Json<Value>, ApiError> {
    let scope = Filter {
        since: filter.since,
        until: filter.until,
        ..Filter::default()
    };
    let mut days: BTreeMap<i64, [i64; 4]> = BTreeMap::new();
    let parts = [
        (
            "fills",
            "CAST(SUM(fee - protocol_fee) AS BIGINT), CAST(SUM(realized_pnl) AS BIGINT)",
        ),
        ("funding_accruals", "CAST(SUM(pool_funding) AS BIGINT), 0"),
        ("bankruptcies", "CAST(SUM(pool_absorbed) AS BIGINT), 0"),
    ];
    for (part, (table, sums)) in parts.iter().enumerate() {
        let (clause, params) = where_clause(table, &scope)?;
        let clause = if clause.is_empty() {
            " WHERE block_time IS NOT NULL".to_string()
        } else {
            format!("{clause} AND block_time IS NOT NULL")
        };
        let sql = format!(
            "SELECT block_time / 86400 AS day, {sums} FROM {table}{clause} GROUP BY block_time / 86400"
        );
        for row in fetch(&api.store, &sql, params).await? {
            let day: i64 = row.try_get(0)?;
            let a = row.try_get::<Option<i64>, _>(1)?.unwrap_or(0);
            let entry = days.entry(day).or_default();
            match part {
                0 => {
                    entry[0] = a;
                    entry[1] = row.try_get::<Option<i64>, _>(2)?.unwrap_or(0);
                }
                1 => entry[2] = a,
                _ => entry[3] = a,
            }
        }
    }
    let rows: Vec<Value> = days
        .iter()
        .map(|(day, v)| {
            json!({
                "day_start": day * 86_400,
                "fees": v[0],
                "traders_realized_pnl": v[1],
                "funding": v[2],
                "bankruptcy_absorbed": v[3],
                "earnings": v[0].saturating_sub(v[1]).saturating_add(v[2]).saturating_sub(v[3]),
            })
        })
        .collect();
    Ok(Json(json!({ "days": rows })))
}

/// One stored transaction (`signature`, `slot`, `block_time`, `failed`, `events`), or a 404
/// while it is not (yet) stored: how a client waits for its transaction to be indexed.
async fn transaction(
    State(api): State<Api>,
    Path(signature): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let rows = fetch(
        &api.store,
        "SELECT * FROM transactions WHERE signature = $1",
        vec![Param::Text(signature)],
    )
    .await?;
    match rows.first() {
        Some(row) => Ok(Json(Value::Object(row_json(row)))),
        None => Err(ApiError(StatusCode::NOT_FOUND, "not indexed".into())),
    }
}

/// `{"status": "ok", "cursor": {...}, "counters": {...}}`.
async fn health(State(api): State<Api>) -> Result<Json<Value>, ApiError> {
    let cursor = api.store.cursor().await?;
    let s = &api.stats;
    Ok(Json(json!({
        "status": "ok",
        "cursor": { "signature": cursor.signature, "slot": cursor.slot },
        "counters": {
            "transactions": s.transactions.load(Ordering::Relaxed),
            "malformed_data_lines": s.malformed.load(Ordering::Relaxed),
            "foreign_data_lines": s.foreign.load(Ordering::Relaxed),
            "truncated_logs": s.truncated.load(Ordering::Relaxed),
            "rpc_errors": s.rpc_errors.load(Ordering::Relaxed),
        }
    })))
}
