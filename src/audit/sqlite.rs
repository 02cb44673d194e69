//! The embedded audit store: one SQLite file, no server.
//!
//! Records live in `audit_records` (with `evaluated_at` as a column so `--since` is an index
//! range) and the chain head in the one-row `audit_head`; each has `signer` and `signature`
//! columns for a signing gate's seal (added to stores made before seals existed). An append is one `BEGIN IMMEDIATE`
//! transaction, which takes SQLite's write lock before reading the head, so concurrent
//! processes append one after another (they wait up to [`BUSY_TIMEOUT`]). The file uses WAL
//! so readers (`audit verify`, `audit report`) never block a gate.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    AuditError, AuditRecord, AuditStore, BeforeCommit, ChainHead, GENESIS_HASH, Sealer,
    StoredRecord, link, seal_columns, seal_of,
};

/// How long an append waits for another writer.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_records (
    seq INTEGER PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    record TEXT NOT NULL,
    signer TEXT,
    signature TEXT
);
CREATE INDEX IF NOT EXISTS audit_records_evaluated_at ON audit_records (evaluated_at);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    signer TEXT,
    signature TEXT
);
";

/// Adds the seal columns to a table made before they existed.
fn add_seal_columns(connection: &Connection, table: &str) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(&format!("PRAGMA table_info({table})"))?;
    let columns = statement
        .query_map([], |row| row.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    for column in ["signer", "signature"] {
        if !columns.iter().any(|c| c == column) {
            connection.execute(&format!("ALTER TABLE {table} ADD COLUMN {column} TEXT"), [])?;
        }
    }
    Ok(())
}

fn read_head(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChainHead> {
    Ok(ChainHead {
        seq: row.get::<_, i64>(0)?.try_into().unwrap_or(0),
        hash: row.get(1)?,
        seal: seal_of(row.get(2)?, row.get(3)?),
    })
}

/// A SQLite audit store.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Connection,
}

impl SqliteStore {
    /// Opens (creating when missing) the store at `path`.
    pub fn open(path: PathBuf) -> Result<SqliteStore, AuditError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs_err::create_dir_all(dir).map_err(|source| AuditError::Directory {
                path: path.clone(),
                source,
            })?;
        }
        let err = |path: &PathBuf| {
            let path = path.clone();
            move |source| AuditError::Sqlite { path, source }
        };
        let connection = Connection::open(&path).map_err(err(&path))?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(err(&path))?;
        // WAL: readers do not block the writer. NORMAL: a commit is durable once the WAL is
        // synced at checkpoints; a power cut may lose the last appends but never corrupts the
        // chain (the head is in the same transaction as the record).
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(err(&path))?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(err(&path))?;
        connection.execute_batch(SCHEMA).map_err(err(&path))?;
        for table in ["audit_records", "audit_head"] {
            add_seal_columns(&connection, table).map_err(err(&path))?;
        }
        connection
            .execute(
                "INSERT OR IGNORE INTO audit_head (id, seq, hash) VALUES (1, 0, ?1)",
                params![GENESIS_HASH],
            )
            .map_err(err(&path))?;
        Ok(SqliteStore { path, connection })
    }

    fn error(&self) -> impl Fn(rusqlite::Error) -> AuditError + '_ {
        |source| AuditError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

impl AuditStore for SqliteStore {
    fn append_sealed(
        &mut self,
        record: &AuditRecord,
        sealer: Option<&dyn Sealer>,
        before_commit: BeforeCommit<'_>,
    ) -> Result<StoredRecord, AuditError> {
        let path = self.path.clone();
        let err = move |source| AuditError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let head = tx
            .query_row(
                "SELECT seq, hash, signer, signature FROM audit_head WHERE id = 1",
                [],
                read_head,
            )
            .map_err(&err)?;
        let (stored, new_head) = link(&head, record, sealer)?;
        let (signer, signature) = seal_columns(stored.seal.as_ref());
        tx.execute(
            "INSERT INTO audit_records (seq, prev_hash, hash, evaluated_at, record, signer, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![stored.seq as i64, stored.prev_hash, stored.hash, record.evaluated_at, stored.body, signer, signature],
        )
        .map_err(&err)?;
        let (signer, signature) = seal_columns(new_head.seal.as_ref());
        tx.execute(
            "UPDATE audit_head SET seq = ?1, hash = ?2, signer = ?3, signature = ?4 WHERE id = 1",
            params![new_head.seq as i64, new_head.hash, signer, signature],
        )
        .map_err(&err)?;
        // Dropping the transaction on an error rolls it back: nothing appended.
        before_commit(&new_head).map_err(AuditError::Aborted)?;
        tx.commit().map_err(&err)?;
        Ok(stored)
    }

    fn head(&mut self) -> Result<ChainHead, AuditError> {
        let head = self
            .connection
            .query_row(
                "SELECT seq, hash, signer, signature FROM audit_head WHERE id = 1",
                [],
                read_head,
            )
            .optional()
            .map_err(self.error())?;
        // A deleted head row reads as an empty chain, which the records then contradict.
        Ok(head.unwrap_or_else(ChainHead::genesis))
    }

    fn scan(
        &mut self,
        since: Option<&str>,
        visit: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), AuditError> {
        let path = self.path.clone();
        let err = move |source| AuditError::Sqlite {
            path: path.clone(),
            source,
        };
        let mut statement = self
            .connection
            .prepare(
                "SELECT seq, prev_hash, hash, record, signer, signature FROM audit_records WHERE evaluated_at >= ?1 ORDER BY seq",
            )
            .map_err(&err)?;
        let mut rows = statement
            .query(params![since.unwrap_or("")])
            .map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            let record = StoredRecord {
                seq: row.get::<_, i64>(0).map_err(&err)? as u64,
                prev_hash: row.get(1).map_err(&err)?,
                hash: row.get(2).map_err(&err)?,
                body: row.get(3).map_err(&err)?,
                seal: seal_of(row.get(4).map_err(&err)?, row.get(5).map_err(&err)?),
            };
            if !visit(record) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::super::{BrokenKind, verify_chain};
    use super::*;

    #[test]
    fn appends_chain_and_edits_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/audit.db");
        let mut store = SqliteStore::open(path.clone()).unwrap();
        for i in 1..=4 {
            assert_eq!(store.append(&record(i)).unwrap().seq, i);
        }
        assert_eq!(verify_chain(&mut store).unwrap().map(|c| c.count), Ok(4));
        let raw = Connection::open(&path).unwrap();
        raw.execute(
            "UPDATE audit_records SET record = replace(record, '\"pass\"', '\"fail\"') WHERE seq = 2",
            [],
        )
        .unwrap();
        let broken = verify_chain(&mut store).unwrap().unwrap_err();
        assert_eq!((broken.seq, broken.kind), (2, BrokenKind::Edited));
    }

    #[test]
    fn a_store_made_before_seals_gets_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, evaluated_at TEXT NOT NULL, record TEXT NOT NULL);
                 CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);",
            )
            .unwrap();
        let mut store = SqliteStore::open(path).unwrap();
        store.append(&record(1)).unwrap();
        let checked = verify_chain(&mut store).unwrap().unwrap();
        assert_eq!((checked.count, checked.unsigned), (1, vec![1]));
    }

    #[test]
    fn deleting_the_last_record_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let mut store = SqliteStore::open(path.clone()).unwrap();
        for i in 1..=3 {
            store.append(&record(i)).unwrap();
        }
        Connection::open(&path)
            .unwrap()
            .execute("DELETE FROM audit_records WHERE seq = 3", [])
            .unwrap();
        let broken = verify_chain(&mut store).unwrap().unwrap_err();
        assert_eq!(broken.kind, BrokenKind::Truncated { head: 3 });
    }
}
