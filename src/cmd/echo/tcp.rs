//! TCP: one task per client. A client holds at most one read buffer: each read is answered
//! (written in full, under the idle timeout) before the next, so a client that never reads
//! stalls only itself and is dropped when its idle timeout passes. Buffers start small and grow
//! only while reads fill them, so 10,000 quiet clients cost little and one busy stream runs fast.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::time::timeout;

use super::Shared;
use crate::cli::EchoMode;
use crate::frame::Deframer;
use crate::output::messages::ServerEvent;
use crate::ports::Protocol;
use crate::serve;

/// Relayed messages waiting for a slow client; beyond it that client misses some (logged).
const RELAY_QUEUE: usize = 1024;
/// A client's first read buffer, and the most it grows to.
const FIRST_BUFFER: usize = 4 * 1024;
const MAX_BUFFER: usize = 256 * 1024;

/// A relayed message and the client it came from (not sent back to it).
#[derive(Clone)]
struct Relayed {
    from: u64,
    bytes: Arc<Vec<u8>>,
}

pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    let (hub, _) = broadcast::channel::<Relayed>(RELAY_QUEUE);
    let (log, max_clients) = (Arc::clone(&shared.log), shared.max_clients);
    let client_stop = stop.clone();
    serve::accept_clients(listener, log, max_clients, stop, move |id, stream, peer| {
        let client = Client {
            id,
            peer,
            shared: Arc::clone(&shared),
            hub: hub.clone(),
            messages: 0,
            bytes_in: 0,
            bytes_out: 0,
            noted: false,
        };
        client.serve(stream, hub.subscribe(), client_stop.clone())
    })
    .await;
}

struct Client {
    id: u64,
    peer: SocketAddr,
    shared: Arc<Shared>,
    hub: broadcast::Sender<Relayed>,
    messages: u64,
    bytes_in: u64,
    bytes_out: u64,
    /// Whether the byte-stream note was logged for this connection.
    noted: bool,
}

impl Client {
    async fn serve(
        mut self,
        stream: TcpStream,
        mut relayed: broadcast::Receiver<Relayed>,
        mut stop: watch::Receiver<bool>,
    ) {
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        // --recv-size: reads of exactly that buffer, as recv(N); else small first, growing.
        let fixed = self.shared.wire.recv_size.map(|n| n as usize);
        let mut buf = vec![0u8; fixed.unwrap_or(FIRST_BUFFER)];
        let header = self.shared.wire.framed.unwrap_or_default();
        let mut frames = Deframer::new(header, self.shared.wire.max_frame);
        let relay = self.shared.mode == EchoMode::Relay;
        let idle = self.shared.idle;
        let reason = loop {
            tokio::select! {
                read = timeout(idle, rd.read(&mut buf)) => match read {
                    Err(_) => break "idle timeout".to_string(),
                    Ok(Ok(0)) => {
                        // Half-close: everything read has been answered; now close our side.
                        let _ = wr.shutdown().await;
                        break "closed by the client".to_string();
                    }
                    Ok(Ok(n)) => {
                        let full = n == buf.len();
                        self.bytes_in += n as u64;
                        self.shared.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                        if self.shared.wire.framed.is_none()
                            && !self.noted
                            && self.shared.logs_messages()
                            && serve::shows_the_stream(&buf[..n], buf.len())
                        {
                            self.noted = true;
                            self.shared.log(ServerEvent::StreamNote { peer: self.peer });
                        }
                        let answered = if self.shared.wire.framed.is_some() || relay {
                            match self.take(&mut buf[..n], &mut frames) {
                                Ok(answers) => self.deliver(&mut wr, answers, relay).await,
                                Err(why) => Err(why),
                            }
                        } else {
                            // A read is a message: answered in place, from the read buffer.
                            self.note(&buf[..n]);
                            self.shared.answer(&mut buf[..n]);
                            self.write(&mut wr, &buf[..n]).await
                        };
                        if let Err(why) = answered {
                            break why;
                        }
                        if full && fixed.is_none() && buf.len() < MAX_BUFFER {
                            buf.resize(buf.len() * 2, 0);
                        }
                    }
                    Ok(Err(e)) => break serve::client_gone(&e),
                },
                got = relayed.recv(), if relay => match got {
                    Ok(message) if message.from != self.id => {
                        if let Err(why) = self.write(&mut wr, &message.bytes).await {
                            break why;
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        self.shared.log(ServerEvent::Dropped {
                            protocol: Protocol::Tcp,
                            peer: self.peer,
                            reason: format!("too slow to read: {missed} relayed message(s) skipped"),
                        });
                    }
                    Err(broadcast::error::RecvError::Closed) => {}
                },
                _ = stop.changed() => break "server stopping".to_string(),
            }
        };
        let counts = (self.messages, self.bytes_in, self.bytes_out);
        serve::disconnected(&self.shared, self.peer, counts, reason);
    }

    /// Turns what was read into the messages to answer or relay (one read, or whole frames).
    fn take(&mut self, data: &mut [u8], frames: &mut Deframer) -> Result<Vec<Vec<u8>>, String> {
        let Some(header) = self.shared.wire.framed else {
            self.note(data);
            self.shared.answer(data);
            return Ok(vec![data.to_vec()]);
        };
        frames.push(data);
        let mut out = Vec::new();
        loop {
            match frames.next_frame() {
                Ok(Some(mut payload)) => {
                    self.note(&payload);
                    self.shared.answer(&mut payload);
                    out.push(header.encode(&payload).map_err(|e| e.to_string())?);
                }
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn note(&mut self, message: &[u8]) {
        self.messages += 1;
        if self.shared.logs_messages() {
            self.shared.log(ServerEvent::Message {
                protocol: Protocol::Tcp,
                peer: self.peer,
                bytes: message.len(),
                payload: self.shared.payload(message),
            });
        }
    }

    async fn deliver(
        &mut self,
        wr: &mut tokio::net::tcp::OwnedWriteHalf,
        answers: Vec<Vec<u8>>,
        relay: bool,
    ) -> Result<(), String> {
        for answer in answers {
            if relay {
                let _ = self.hub.send(Relayed {
                    from: self.id,
                    bytes: Arc::new(answer),
                });
            } else {
                self.write(wr, &answer).await?;
            }
        }
        Ok(())
    }

    async fn write(
        &mut self,
        wr: &mut tokio::net::tcp::OwnedWriteHalf,
        bytes: &[u8],
    ) -> Result<(), String> {
        match timeout(self.shared.idle, wr.write_all(bytes)).await {
            Ok(Ok(())) => {
                self.bytes_out += bytes.len() as u64;
                self.shared
                    .bytes_out
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(e)) => Err(serve::client_gone(&e)),
            Err(_) => Err("stalled: not reading its answers (idle timeout)".to_string()),
        }
    }
}
