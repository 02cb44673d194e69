//! The organisation's audit store: the same chain in PostgreSQL (`--audit-db postgres://…`).
//!
//! Tables as in the SQLite store. An append is one transaction that locks the chain head with
//! `SELECT … FOR UPDATE`, so appends from several gate processes (or hosts) are serialised by
//! the server: none is lost and every record links to the one before. Creating the tables is
//! serialised with an advisory lock, since concurrent `CREATE TABLE IF NOT EXISTS` can race.
//! The sync `postgres` client runs its own small Tokio runtime, only on this path.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use postgres::{Client, NoTls};

use super::{
    AuditError, AuditRecord, AuditStore, BeforeCommit, ChainHead, GENESIS_HASH, Sealer,
    StoredRecord, link, seal_columns, seal_of,
};

/// The advisory lock key that serialises schema creation ("stagegate" in ASCII, truncated).
const SCHEMA_LOCK: i64 = 0x7374_6167_6567_6174;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_records (
    seq BIGINT PRIMARY KEY,
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
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    signer TEXT,
    signature TEXT
);
";

/// Adds the seal columns to tables made before they existed. Run only when they are missing:
/// `ALTER TABLE` takes an exclusive lock, which would deadlock with concurrent appends.
const ADD_SEAL_COLUMNS: &str = "
ALTER TABLE audit_records ADD COLUMN IF NOT EXISTS signer TEXT;
ALTER TABLE audit_records ADD COLUMN IF NOT EXISTS signature TEXT;
ALTER TABLE audit_head ADD COLUMN IF NOT EXISTS signer TEXT;
ALTER TABLE audit_head ADD COLUMN IF NOT EXISTS signature TEXT;
";

/// A PostgreSQL audit store.
pub struct PostgresStore {
    url: String,
    client: Client,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish()
    }
}

/// The URL with any password replaced, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl PostgresStore {
    /// Connects and creates the tables when missing.
    pub fn connect(url: &str) -> Result<PostgresStore, AuditError> {
        let shown = redacted(url);
        let err = |source| AuditError::Postgres {
            url: shown.clone(),
            source,
        };
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        let mut tx = client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .map_err(err)?;
        tx.batch_execute(SCHEMA).map_err(err)?;
        let sealed_columns: i64 = tx
            .query_one(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name IN ('audit_records', 'audit_head') AND column_name IN ('signer', 'signature')",
                &[],
            )
            .map_err(err)?
            .get(0);
        if sealed_columns < 4 {
            tx.batch_execute(ADD_SEAL_COLUMNS).map_err(err)?;
        }
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING",
            &[&GENESIS_HASH],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(PostgresStore { url: shown, client })
    }

    fn error(&self) -> impl Fn(postgres::Error) -> AuditError + '_ {
        |source| AuditError::Postgres {
            url: self.url.clone(),
            source,
        }
    }
}

impl AuditStore for PostgresStore {
    fn append_sealed(
        &mut self,
        record: &AuditRecord,
        sealer: Option<&dyn Sealer>,
        before_commit: BeforeCommit<'_>,
    ) -> Result<StoredRecord, AuditError> {
        let url = self.url.clone();
        let err = move |source| AuditError::Postgres {
            url: url.clone(),
            source,
        };
        let mut tx = self.client.transaction().map_err(&err)?;
        let row = tx
            .query_one(
                "SELECT seq, hash, signer, signature FROM audit_head WHERE id = 1 FOR UPDATE",
                &[],
            )
            .map_err(&err)?;
        let head = ChainHead {
            seq: row.get::<_, i64>(0).try_into().unwrap_or(0),
            hash: row.get(1),
            seal: seal_of(row.get(2), row.get(3)),
        };
        let (stored, new_head) = link(&head, record, sealer)?;
        let seq = i64::try_from(stored.seq).unwrap_or(i64::MAX);
        let (signer, signature) = seal_columns(stored.seal.as_ref());
        tx.execute(
            "INSERT INTO audit_records (seq, prev_hash, hash, evaluated_at, record, signer, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&seq, &stored.prev_hash, &stored.hash, &record.evaluated_at, &stored.body, &signer, &signature],
        )
        .map_err(&err)?;
        let (signer, signature) = seal_columns(new_head.seal.as_ref());
        tx.execute(
            "UPDATE audit_head SET seq = $1, hash = $2, signer = $3, signature = $4 WHERE id = 1",
            &[&seq, &new_head.hash, &signer, &signature],
        )
        .map_err(&err)?;
        // Dropping the transaction on an error rolls it back: nothing appended.
        before_commit(&new_head).map_err(AuditError::Aborted)?;
        tx.commit().map_err(&err)?;
        Ok(stored)
    }

    fn head(&mut self) -> Result<ChainHead, AuditError> {
        let row = self
            .client
            .query_opt(
                "SELECT seq, hash, signer, signature FROM audit_head WHERE id = 1",
                &[],
            )
            .map_err(self.error())?;
        Ok(match row {
            Some(row) => ChainHead {
                seq: row.get::<_, i64>(0).try_into().unwrap_or(0),
                hash: row.get(1),
                seal: seal_of(row.get(2), row.get(3)),
            },
            None => ChainHead::genesis(),
        })
    }

    fn scan(
        &mut self,
        since: Option<&str>,
        visit: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), AuditError> {
        let url = self.url.clone();
        let err = move |source| AuditError::Postgres {
            url: url.clone(),
            source,
        };
        let since = since.unwrap_or("");
        let mut rows = self
            .client
            .query_raw(
                "SELECT seq, prev_hash, hash, record, signer, signature FROM audit_records WHERE evaluated_at >= $1 ORDER BY seq",
                &[&since],
            )
            .map_err(&err)?;
        use postgres::fallible_iterator::FallibleIterator;
        while let Some(row) = rows.next().map_err(&err)? {
            let record = StoredRecord {
                seq: row.get::<_, i64>(0) as u64,
                prev_hash: row.get(1),
                hash: row.get(2),
                body: row.get(3),
                seal: seal_of(row.get(4), row.get(5)),
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
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redacted("postgres://gate:s3cret@db.example.com:5432/audit"),
            "postgres://gate:***@db.example.com:5432/audit"
        );
        assert_eq!(redacted("postgres://db/audit"), "postgres://db/audit");
    }
}
