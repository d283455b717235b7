//! The database: SQLite (a file, the default) or PostgreSQL, one schema (`migrations/`), the
//! same statements on both through sqlx's `Any` driver.

use crate::rows::{Row, Value};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row as _};
use std::collections::HashMap;

/// Where following stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Newest transaction processed (`None` before the first).
    pub signature: Option<String>,
    /// Its slot.
    pub slot: u64,
    /// Next row id.
    pub next_id: i64,
}

/// One transaction to store, with the rows of its events (empty for a failed one).
#[derive(Debug, Clone)]
pub struct StoredTx {
    /// Signature, base58.
    pub signature: String,
    /// Slot.
    pub slot: u64,
    /// Block time, unix seconds, when the cluster has it.
    pub block_time: Option<i64>,
    /// Whether the transaction failed (its events are never stored).
    pub failed: bool,
    /// Each event's rows, in log order (the event index is the position here).
    pub events: Vec<Vec<Row>>,
}

/// The indexer's database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

/// A `--database` value as a connection URL: `postgres://…` and `sqlite:…` as given, anything
/// else a SQLite file path (created if missing).
pub fn database_url(database: &str) -> String {
    if database.starts_with("postgres://")
        || database.starts_with("postgresql://")
        || database.starts_with("sqlite:")
    {
        database.to_string()
    } else {
        format!("sqlite://{database}?mode=rwc")
    }
}

impl Store {
    /// Connects to `database` (see [`database_url`]) and brings its schema up to date.
    pub async fn open(database: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let url = database_url(database);
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Readers (the API) never block the writer, nor fail while it commits.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The connection pool (the API's queries).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The cursor, or the start when nothing was stored.
    pub async fn cursor(&self) -> Result<Cursor, sqlx::Error> {
        read_cursor(&self.pool).await
    }

    /// Every sub-account's wallet stored so far.
    pub async fn owners(&self) -> Result<HashMap<String, String>, sqlx::Error> {
        let rows = sqlx::query("SELECT sub_account, owner FROM sub_accounts")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Stores `tx` and moves the cursor to it, in one database transaction: all of it or
    /// nothing. Returns false (and changes nothing) when the transaction was already stored.
    pub async fn apply(&self, tx: &StoredTx) -> Result<bool, sqlx::Error> {
        let mut db = self.pool.begin().await?;
        let cursor = read_cursor(&mut *db).await?;
        let events = if tx.failed { 0 } else { tx.events.len() };
        let inserted = sqlx::query(
            "INSERT INTO transactions (signature, slot, block_time, failed, events) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (signature) DO NOTHING",
        )
        .bind(tx.signature.clone())
        .bind(slot_int(tx.slot))
        .bind(tx.block_time)
        .bind(i64::from(tx.failed))
        .bind(events as i64)
        .execute(&mut *db)
        .await?
        .rows_affected();
        if inserted == 0 {
            db.rollback().await?;
            return Ok(false);
        }
        let mut next_id = cursor.next_id;
        if !tx.failed {
            for (index, rows) in tx.events.iter().enumerate() {
                for row in rows {
                    insert(&mut db, row, tx, index as i64, &mut next_id).await?;
                }
            }
        }
        sqlx::query(
            "INSERT INTO cursor (name, signature, slot, next_id) VALUES ('main', $1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET signature = excluded.signature, \
             slot = excluded.slot, next_id = excluded.next_id",
        )
        .bind(tx.signature.clone())
        .bind(slot_int(tx.slot))
        .bind(next_id)
        .execute(&mut *db)
        .await?;
        db.commit().await?;
        Ok(true)
    }
}

type Db = sqlx::Transaction<'static, sqlx::Any>;

/// The cursor row through `executor` (the pool, or the open database transaction).
async fn read_cursor<'e, E>(executor: E) -> Result<Cursor, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query("SELECT signature, slot, next_id FROM cursor WHERE name = 'main'")
        .fetch_optional(executor)
        .await?;
    Ok(match row {
        Some(row) => Cursor {
            signature: row.try_get(0)?,
            slot: u64::try_from(row.try_get::<i64, _>(1)?).unwrap_or(0),
            next_id: row.try_get(2)?,
        },
        None => Cursor {
            next_id: 1,
            ..Cursor::default()
        },
    })
}

fn slot_int(slot: u64) -> i64 {
    i64::try_from(slot).unwrap_or(i64::MAX)
}

/// Inserts one row; event rows take the next id and the transaction's common columns.
async fn insert(
    db: &mut Db,
    row: &Row,
    tx: &StoredTx,
    event_index: i64,
    next_id: &mut i64,
) -> Result<(), sqlx::Error> {
    let mut names: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if row.is_event() {
        names.extend(["id", "signature", "event_index", "slot", "block_time"]);
        values.extend([
            Value::Int(*next_id),
            Value::Text(tx.signature.clone()),
            Value::Int(event_index),
            Value::Int(slot_int(tx.slot)),
            tx.block_time.map_or(Value::NullInt, Value::Int),
        ]);
        *next_id += 1;
    } else {
        names.push("created_slot");
        values.push(Value::Int(slot_int(tx.slot)));
    }
    for (name, value) in &row.columns {
        names.push(name);
        values.push(value.clone());
    }
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        row.table,
        names.join(", "),
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::NullInt => query.bind(None::<i64>),
            Value::NullText => query.bind(None::<String>),
        };
    }
    query.execute(&mut **db).await?;
    Ok(())
}

/// A result row as JSON: integers as numbers, text as strings, NULL as null.
pub fn row_json(row: &AnyRow) -> serde_json::Map<String, serde_json::Value> {
    use sqlx::Column as _;
    let mut out = serde_json::Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let value = match row.try_get::<Option<i64>, _>(i) {
            Ok(v) => v.map_or(serde_json::Value::Null, serde_json::Value::from),
            Err(_) => row
                .try_get::<Option<String>, _>(i)
                .ok()
                .flatten()
                .map_or(serde_json::Value::Null, serde_json::Value::from),
        };
        out.insert(column.name().to_string(), value);
    }
    out
}
