//! The embedded database: one SQLite file in WAL mode. Writes go through a single writer thread
//! that commits in groups — every write waiting at that moment shares one transaction and one
//! fsync — so the accept path stays fast under bursts while each caller still hears back only
//! after its own rows are durable. Reads use a small pool of separate connections.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 512;
const READERS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

type Finish = Box<dyn FnOnce(Result<(), DbError>) + Send>;
/// Runs against the connection, or with `None` when the transaction could not even begin.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (bool, Finish) + Send>;

#[derive(Clone)]
pub struct Db {
    writer: mpsc::Sender<Job>,
    readers: Arc<Vec<Mutex<Connection>>>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating and migrating) the database and starts its writer thread. `added_columns`
    /// are `ALTER TABLE … ADD COLUMN` statements for databases created before those columns:
    /// SQLite has no `ADD COLUMN IF NOT EXISTS`, so one that exists already is skipped.
    pub fn open(path: &Path, schema: &str, added_columns: &[&str]) -> Result<Self, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir).map_err(|e| DbError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        }
        owner_only(path).map_err(|e| DbError::Corrupt(format!("cannot create {}: {e}", path.display())))?;
        let conn = connect(path)?;
        conn.execute_batch(schema)?;
        for alter in added_columns {
            match conn.execute_batch(alter) {
                Err(e) if e.to_string().contains("duplicate column name") => {}
                other => other?,
            }
        }
        let readers = (0..READERS).map(|_| connect(path).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        let (tx, rx) = mpsc::channel::<Job>(4096);
        std::thread::Builder::new()
            .name("vouch-db-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| DbError::Corrupt(format!("cannot start writer: {e}")))?;
        Ok(Self { writer: tx, readers: Arc::new(readers), path: path.to_path_buf() })
    }

    /// Runs `f` inside the next group transaction; resolves once that transaction is committed.
    /// If `f` fails, only its own changes are rolled back.
    pub async fn write<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = conn.map_or(Err(DbError::WriterGone), f);
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let _ = reply.send(commit.and(result));
            });
            (ok, finish)
        });
        self.writer.send(job).await.map_err(|_| DbError::WriterGone)?;
        answer.await.map_err(|_| DbError::WriterGone)?
    }

    /// Runs a read on a pooled connection off the async threads.
    pub async fn read<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, DbError> + Send + 'static,
    {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            // Try each reader before waiting, so one slow read does not queue the rest behind it.
            let guard = readers
                .iter()
                .find_map(|m| m.try_lock().ok())
                .unwrap_or_else(|| readers[0].lock().unwrap_or_else(|p| p.into_inner()));
            f(&guard)
        })
        .await
        .map_err(|_| DbError::WriterGone)?
    }
}

/// The database file readable by this user only. SQLite gives its `-wal` and `-shm` files the
/// database file's mode, so this covers them too (older ones are tightened as well).
/// Creates `dir` (and its parents) open to this user only; the database, uploads and receipts
/// inside hold personal data. An existing folder is left as the operator made it, with a warning.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "the data folder is open to other users; chmod 700 it");
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new().append(true).create(true).mode(0o600).open(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    let _ = path;
    Ok(())
}

fn connect(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a 2xx must survive power loss too, not only a killed process.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Deleted and overwritten rows are zeroed, not left in free pages: an erased shopper's data
    // must not survive in the file (GDPR Art. 17).
    conn.pragma_update(None, "secure_delete", true)?;
    Ok(conn)
}

fn writer_loop(conn: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (finishers, commit) = match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                let finishers = run_batch(&conn, batch.drain(..));
                let commit = conn.execute_batch("COMMIT").map_err(DbError::from);
                if commit.is_err() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                (finishers, commit)
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a write transaction");
                (batch.drain(..).map(|job| job(None).1).collect(), Err(DbError::from(e)))
            }
        };
        for finish in finishers {
            finish(match &commit {
                Ok(()) => Ok(()),
                Err(e) => Err(DbError::Corrupt(format!("commit failed: {e}"))),
            });
        }
    }
}

fn run_batch(conn: &Connection, jobs: impl Iterator<Item = Job>) -> Vec<Finish> {
    jobs.map(|job| {
        let _ = conn.execute_batch("SAVEPOINT job");
        let (ok, finish) = job(Some(conn));
        let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
        if let Err(e) = conn.execute_batch(end) {
            tracing::error!(error = %e, "savepoint handling failed");
        }
        finish
    })
    .collect()
}
