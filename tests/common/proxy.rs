//! A TCP proxy on loopback between the binary and a real server, to make that server slow:
//! it forwards bytes both ways, optionally waiting before each chunk, or stalls every
//! connection once a number of bytes has passed (a gate, when that number is 0) until the
//! test opens it again. Plain std::net and threads: what it does is what the test says.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Forward at once.
    Pass,
    /// Wait this long before forwarding each chunk read (either direction).
    Delay(Duration),
    /// Forward until this many bytes (all connections, both directions) have passed, then
    /// hold everything until the mode changes.
    StallAfter(usize),
}

struct State {
    mode: Mutex<Mode>,
    changed: Condvar,
    forwarded: AtomicUsize,
    connections: AtomicUsize,
    stopped: AtomicBool,
}

pub struct Proxy {
    pub address: String,
    state: Arc<State>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub fn start(upstream: &str, mode: Mode) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let state = Arc::new(State {
            mode: Mutex::new(mode),
            changed: Condvar::new(),
            forwarded: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        });
        let upstream = upstream.to_string();
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if shared.stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                shared.connections.fetch_add(1, Ordering::Relaxed);
                client.set_nodelay(true).ok();
                server.set_nodelay(true).ok();
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let state = shared.clone();
                    std::thread::spawn(move || pump(from, to, &state));
                }
            }
        });
        Proxy { address, state }
    }

    pub fn set(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
        self.state.changed.notify_all();
    }

    /// Bytes forwarded so far, both directions.
    pub fn forwarded(&self) -> usize {
        self.state.forwarded.load(Ordering::Relaxed)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::Relaxed)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::Relaxed);
        self.set(Mode::Pass);
        // Wake the accept loop so that it sees the stop.
        TcpStream::connect(&self.address).ok();
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, state: &State) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut chunk = &buf[..n];
        while !chunk.is_empty() {
            let mode = *state.mode.lock().unwrap();
            let send = match mode {
                Mode::Pass => chunk.len(),
                Mode::Delay(delay) => {
                    std::thread::sleep(delay);
                    chunk.len()
                }
                Mode::StallAfter(limit) => {
                    let done = state.forwarded.load(Ordering::Relaxed);
                    let room = limit.saturating_sub(done).min(chunk.len());
                    if room == 0 {
                        let guard = state.mode.lock().unwrap();
                        let _unused = state
                            .changed
                            .wait_timeout_while(guard, Duration::from_millis(200), |m| *m == mode)
                            .unwrap();
                        continue;
                    }
                    room
                }
            };
            if to.write_all(&chunk[..send]).is_err() {
                return;
            }
            state.forwarded.fetch_add(send, Ordering::Relaxed);
            chunk = &chunk[send..];
        }
    }
    to.shutdown(Shutdown::Write).ok();
}
