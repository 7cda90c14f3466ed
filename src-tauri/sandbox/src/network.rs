//! A test knob for the network itself: while "down", the emulator's listener accepts and drops
//! new connections and cuts the ones already open (reads and writes fail), so a client sees
//! what it sees when the VPN or Wi-Fi goes away — not an HTTP error, no answer at all. Used to
//! test offline behaviour and the return of the network without restarting the emulator.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub struct SwitchedListener {
    pub inner: TcpListener,
    pub down: Arc<AtomicBool>,
}

impl axum::serve::Listener for SwitchedListener {
    type Io = SwitchedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, address) = axum::serve::Listener::accept(&mut self.inner).await;
            if self.down.load(Ordering::SeqCst) {
                drop(stream);
                continue;
            }
            return (
                SwitchedStream {
                    inner: stream,
                    down: Arc::clone(&self.down),
                },
                address,
            );
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

pub struct SwitchedStream {
    inner: TcpStream,
    down: Arc<AtomicBool>,
}

impl SwitchedStream {
    fn cut(&self) -> Option<io::Error> {
        self.down
            .load(Ordering::SeqCst)
            .then(|| io::Error::from(io::ErrorKind::ConnectionReset))
    }
}

impl AsyncRead for SwitchedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(error) = this.cut() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SwitchedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(error) = this.cut() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
