//! The floor under a broadcast's latency on this machine: one thread writes one small frame to
//! each of N loopback TCP connections, with nothing else (no WebSocket, no room, no JSON).
//! On loopback the sender's `write` also runs the receiver's TCP input path, so the writer's time
//! is what the kernel alone costs per recipient. A second figure adds what the load generator
//! does: a reader thread waiting on all N sockets in a tokio runtime (epoll) and timing the last
//! arrival, the broadcast's "until all received". Atelier's fan-out (BENCHMARKS.md, issue 10) is
//! compared with both. Run as the server is run, on two cores:
//! `taskset -c 0,1 cargo bench --bench loopback_floor`. No assertion: it prints the figures.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::sync::Notify;

/// A `bingo.revealed`-sized frame: a WebSocket text frame of ~200 bytes.
const FRAME: [u8; 200] = [b'x'; 200];
const ROUNDS: usize = 20;

fn main() {
    for n in [1_000usize, 2_000, 5_000, 9_000] {
        match broadcast(n) {
            Ok(r) => println!(
                "{n:>6} connections: writes alone best {:.1} / median {:.1} ms ({:.2} µs per \
                 connection); until the reader had all: best {:.1} / median {:.1} ms",
                ms(r.write_best),
                ms(r.write_median),
                r.write_best.as_secs_f64() * 1e6 / n as f64,
                ms(r.all_best),
                ms(r.all_median),
            ),
            Err(e) => println!("{n:>6} connections: {e} (raise `ulimit -n`?)"),
        }
    }
}

struct Round {
    write_best: Duration,
    write_median: Duration,
    all_best: Duration,
    all_median: Duration,
}

fn broadcast(n: usize) -> std::io::Result<Round> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mut senders = Vec::with_capacity(n);
    let mut receivers = Vec::with_capacity(n);
    for _ in 0..n {
        let client = TcpStream::connect(addr)?;
        let (server_side, _) = listener.accept()?;
        server_side.set_nodelay(true)?;
        client.set_nonblocking(true)?;
        senders.push(server_side);
        receivers.push(client);
    }

    // The reader: one task per socket on a single-threaded runtime, like the load generator.
    let received = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(Notify::new());
    let reader = {
        let (received, all_in) = (Arc::clone(&received), Arc::clone(&all_in));
        std::thread::spawn(move || -> std::io::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()?;
            runtime.block_on(async move {
                let mut tasks = Vec::with_capacity(receivers.len());
                for socket in receivers {
                    let mut socket = tokio::net::TcpStream::from_std(socket)?;
                    let (received, all_in) = (Arc::clone(&received), Arc::clone(&all_in));
                    tasks.push(tokio::spawn(async move {
                        let mut buffer = [0u8; 1024];
                        let mut pending = 0;
                        while let Ok(read) = socket.read(&mut buffer).await {
                            if read == 0 {
                                break;
                            }
                            pending += read;
                            while pending >= FRAME.len() {
                                pending -= FRAME.len();
                                if received.fetch_add(1, Ordering::AcqRel) + 1 == n {
                                    all_in.notify_one();
                                }
                            }
                        }
                    }));
                }
                for task in tasks {
                    let _ = task.await;
                }
                Ok(())
            })
        })
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (mut writes, mut alls) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        received.store(0, Ordering::Release);
        let start = Instant::now();
        for socket in &mut senders {
            socket.write_all(&FRAME)?;
        }
        writes.push(start.elapsed());
        runtime.block_on(async {
            while received.load(Ordering::Acquire) < n {
                let _ = tokio::time::timeout(Duration::from_millis(5), all_in.notified()).await;
            }
        });
        alls.push(start.elapsed());
    }
    drop(senders);
    reader
        .join()
        .map_err(|_| std::io::Error::other("reader panicked"))??;
    writes.sort();
    alls.sort();
    Ok(Round {
        write_best: writes[0],
        write_median: writes[ROUNDS / 2],
        all_best: alls[0],
        all_median: alls[ROUNDS / 2],
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
