//! A TCP proxy between the AWS SDK and moto that tests break on purpose (moto keeps its state in
//! memory, so moto itself stays up): cut every connection, freeze traffic and let it through
//! later, or deliver some requests and lose their answers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::AbortHandle;

use crate::support::Moto;

pub struct Proxy {
    pub addr: String,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<AbortHandle>>>,
    frozen: watch::Sender<bool>,
    lose_answers: Arc<Mutex<Option<&'static str>>>,
    lost: Arc<AtomicUsize>,
}

/// What one connection needs to know about the proxy's mode.
#[derive(Clone)]
struct Mode {
    frozen: watch::Receiver<bool>,
    lose_answers: Arc<Mutex<Option<&'static str>>>,
    lost: Arc<AtomicUsize>,
}

impl Proxy {
    /// A proxy to `moto`, which must outlive it.
    pub async fn start(moto: &Moto) -> Self {
        let target = moto.endpoint.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let (up, open) = (Arc::new(AtomicBool::new(true)), Arc::new(Mutex::new(Vec::new())));
        let (frozen, frozen_rx) = watch::channel(false);
        let mode = Mode { frozen: frozen_rx, lose_answers: Arc::default(), lost: Arc::default() };
        let (lose_answers, lost) = (mode.lose_answers.clone(), mode.lost.clone());
        let (up2, open2) = (up.clone(), open.clone());
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else { return };
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let (target, mode) = (target.clone(), mode.clone());
                let task = tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(&target).await {
                        relay(inbound, outbound, mode).await;
                    }
                });
                open2.lock().unwrap().push(task.abort_handle());
            }
        });
        Self { addr, up, open, frozen, lose_answers, lost }
    }

    /// AWS unreachable: open connections break, new ones are closed at once.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// AWS hangs: connections open, but nothing moves either way until `thaw`, which delivers
    /// what was held (also requests whose caller gave up waiting).
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// Requests containing `marker` reach AWS, and their answers are lost: the caller sees its
    /// connection closed and cannot know whether AWS acted.
    pub fn lose_answers_to(&self, marker: &'static str) {
        *self.lose_answers.lock().unwrap() = Some(marker);
    }

    pub fn answer_all(&self) {
        *self.lose_answers.lock().unwrap() = None;
    }

    /// How many answers were lost so far.
    pub fn lost(&self) -> usize {
        self.lost.load(Ordering::SeqCst)
    }
}

async fn thawed(frozen: &mut watch::Receiver<bool>) {
    let _ = frozen.wait_for(|f| !f).await;
}

/// Copies bytes both ways, holding them while frozen; after a request with the marker, drops the
/// answer and closes the client's side.
async fn relay(inbound: TcpStream, outbound: TcpStream, mode: Mode) {
    let (mut in_read, mut in_write) = inbound.into_split();
    let (mut out_read, mut out_write) = outbound.into_split();
    let lose = Arc::new(AtomicBool::new(false));
    let (mut frozen, lose_up) = (mode.frozen.clone(), lose.clone());
    let upstream = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match in_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let marker = *mode.lose_answers.lock().unwrap();
            if marker.is_some_and(|m| buf[..n].windows(m.len()).any(|w| w == m.as_bytes())) {
                lose_up.store(true, Ordering::SeqCst);
            }
            thawed(&mut frozen).await;
            if out_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = out_write.shutdown().await;
    };
    let mut frozen = mode.frozen;
    let downstream = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match out_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            thawed(&mut frozen).await;
            if lose.load(Ordering::SeqCst) {
                mode.lost.fetch_add(1, Ordering::SeqCst);
                break; // dropping `in_write` closes the client's connection without an answer
            }
            if in_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(upstream, downstream);
}
