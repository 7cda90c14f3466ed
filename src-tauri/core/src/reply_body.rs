//! Reading a provider's reply with a ceiling on its size.
//!
//! Every reply ResetDesk reads is small: a Graph page of 999 users is a few megabytes, a token
//! a few kilobytes. A reply far larger than that is a fault or an attack (a server, or
//! something between, streaming without end), and reading it whole would hold it all in
//! memory. Each reply is read chunk by chunk and abandoned past [`MAX_REPLY_BYTES`].

use crate::error::{AppError, ErrorKind};

/// The largest reply read: far above any documented page (Graph's `$top` is at most 999).
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ReplyError {
    /// Larger than the ceiling: reading stopped there.
    TooLarge { host: String, limit: usize },
    /// The connection broke off while reading.
    Transport(reqwest::Error),
}

/// A reply that broke off while being read, when the caller has nothing better to say.
pub fn broke_off(error: reqwest::Error) -> AppError {
    AppError::new(
        ErrorKind::Offline,
        "The server's answer broke off. Check the network and try again.",
    )
    .with_detail(error.without_url().to_string())
}

impl ReplyError {
    /// As an `AppError`: a reply too large says so; a broken-off one is what `transport` says.
    pub fn into_app_error(self, transport: impl FnOnce(reqwest::Error) -> AppError) -> AppError {
        match self {
            ReplyError::TooLarge { host, limit } => AppError::new(
                ErrorKind::Provider,
                format!(
                    "{host} answered with more than {} MiB, far more than any reply ResetDesk \
                     expects, so it stopped reading. Try again later, and tell your \
                     administrator if it persists.",
                    limit / (1024 * 1024)
                ),
            ),
            ReplyError::Transport(error) => transport(error),
        }
    }
}

/// The body of `response`, at most `limit` bytes.
pub async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReplyError> {
    let host = response
        .url()
        .host_str()
        .unwrap_or("The server")
        .to_string();
    let too_large = |host: String| ReplyError::TooLarge { host, limit };
    // A declared length above the ceiling is refused before anything is read.
    if response
        .content_length()
        .is_some_and(|declared| declared > limit as u64)
    {
        return Err(too_large(host));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReplyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(host));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The body of `response` with the usual ceiling ([`MAX_REPLY_BYTES`]).
pub async fn read(response: reqwest::Response) -> Result<Vec<u8>, ReplyError> {
    read_limited(response, MAX_REPLY_BYTES).await
}

/// The body as text (invalid UTF-8 replaced), with the usual ceiling.
pub async fn read_text(response: reqwest::Response) -> Result<String, ReplyError> {
    let bytes = read(response).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers one request with `head` then `body_bytes` bytes of `x`, in pieces.
    async fn server(declare_length: bool, body_bytes: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let head = if declare_length {
                format!("HTTP/1.1 200 OK\r\ncontent-length: {body_bytes}\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_string()
            };
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let piece = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < body_bytes {
                let n = piece.len().min(body_bytes - sent);
                if socket.write_all(&piece[..n]).await.is_err() {
                    return; // the client stopped reading: what the ceiling is for
                }
                sent += n;
            }
        });
        format!("http://{address}/")
    }

    #[tokio::test]
    async fn a_reply_within_the_ceiling_is_read_whole() {
        let url = server(true, 100_000).await;
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(
            read_limited(response, 200_000).await.unwrap().len(),
            100_000
        );
    }

    #[tokio::test]
    async fn a_declared_length_above_the_ceiling_is_refused_before_reading() {
        let url = server(true, 5_000_000).await;
        let response = reqwest::get(&url).await.unwrap();
        let error = read_limited(response, 1_000_000).await.unwrap_err();
        assert!(matches!(
            error,
            ReplyError::TooLarge {
                limit: 1_000_000,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn an_undeclared_stream_stops_at_the_ceiling_with_a_clear_message() {
        let url = server(false, 3 * 1024 * 1024).await;
        let response = reqwest::get(&url).await.unwrap();
        let error = read_limited(response, 1024 * 1024).await.unwrap_err();
        let message = error
            .into_app_error(|_| AppError::internal("not a transport error"))
            .message;
        assert!(
            message.starts_with("127.0.0.1 answered with more than 1 MiB"),
            "{message}"
        );
    }
}
