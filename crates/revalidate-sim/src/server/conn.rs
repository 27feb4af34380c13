//! A simulated pod's connections: the accept loop, the response body type, and sockets that
//! can be reset or hung up on to inject transport faults.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::pod::PodInner;

use super::handle;

/// The body type of every pod response: one buffer, sent either with a known
/// length (`Content-Length`) or, when `sized` is false, with chunked transfer
/// encoding, which is how Node streams some responses.
#[derive(Debug)]
pub(crate) struct SimBody {
    data: Option<Bytes>,
    sized: bool,
}

impl SimBody {
    pub(super) fn sized(data: Bytes) -> SimBody {
        SimBody {
            data: Some(data),
            sized: true,
        }
    }

    pub(super) fn chunked(data: Bytes) -> SimBody {
        SimBody {
            data: Some(data),
            sized: false,
        }
    }

    pub(super) fn empty() -> SimBody {
        SimBody::sized(Bytes::new())
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(
            self.data
                .take()
                .filter(|d| !d.is_empty())
                .map(|d| Ok(Frame::data(d))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.sized && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.sized {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        } else {
            SizeHint::default()
        }
    }
}

/// Why a request got no HTTP answer at all; returning it makes hyper drop
/// the connection.
#[derive(Debug)]
pub(crate) struct Abort(pub(super) &'static str);

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Abort {}

/// A `TcpStream` that can be told to reset instead of closing gracefully:
/// with the flag set, dropping it sets `SO_LINGER 0`, so the kernel sends RST.
pub(super) struct ResettableStream {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed)
            && let Err(e) = self.stream.set_zero_linger()
        {
            tracing::debug!(error = %e, "could not arm connection reset");
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts connections until `token` is cancelled; dropping out of the loop
/// drops the listener, which is what closes the port for `Down`.
pub(crate) async fn accept_loop(
    pod: Arc<PodInner>,
    listener: TcpListener,
    token: CancellationToken,
    connections: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            () = token.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                // Best effort: Nagle only adds latency to small responses.
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(pod.clone(), stream, token.clone()));
            }
            Err(e) => {
                // Typically EMFILE under extreme load; back off instead of spinning.
                tracing::warn!(pod = %pod.name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

pub(super) async fn serve_connection(
    pod: Arc<PodInner>,
    stream: TcpStream,
    token: CancellationToken,
) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        stream,
        reset: reset.clone(),
    });
    let service = hyper::service::service_fn(move |req| handle(pod.clone(), req, reset.clone()));
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::trace!(error = %e, "connection ended");
            }
        }
        () = token.cancelled() => {}
    }
}
