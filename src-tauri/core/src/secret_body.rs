//! Request bodies that carry a secret (a typed password, a refresh token, a client secret).
//! `secrecy` wipes the secret we hold, but sending it makes more copies: the JSON or form text,
//! each growth of the buffer it is written into, and the body reqwest keeps until the request
//! (and every retry) is done. Here the text is written once into a buffer sized beforehand (so
//! no growth leaves a copy behind), and the body handed to reqwest wipes that buffer when its
//! last holder drops it. What the TLS layer copies to encrypt is beyond our reach.

use bytes::Bytes;
use serde::Serialize;
use zeroize::Zeroizing;

/// A body for reqwest whose bytes are wiped when the last clone (a retry's) is dropped.
pub fn wiped_on_drop(buffer: Zeroizing<Vec<u8>>) -> Bytes {
    Bytes::from_owner(buffer)
}

/// Counts what a serializer writes, without keeping it.
struct Measure(usize);

impl std::io::Write for Measure {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `value` as JSON, in one buffer of exactly its size, wiped on drop.
pub fn json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Zeroizing<Vec<u8>>> {
    let mut size = Measure(0);
    serde_json::to_writer(&mut size, value)?;
    let mut buffer = Zeroizing::new(Vec::with_capacity(size.0));
    serde_json::to_writer(&mut *buffer, value)?;
    Ok(buffer)
}

/// `pairs` as `application/x-www-form-urlencoded`, in one buffer wiped on drop. Percent-encoding
/// makes a byte at most three, so the buffer is sized for that and never grows.
pub fn form(pairs: &[(&str, &str)]) -> Zeroizing<Vec<u8>> {
    let bound: usize = pairs
        .iter()
        .map(|(name, value)| 3 * (name.len() + value.len()) + 2)
        .sum();
    let mut text = String::with_capacity(bound);
    url::form_urlencoded::Serializer::new(&mut text).extend_pairs(pairs);
    Zeroizing::new(text.into_bytes())
}

/// `request` with `pairs` as its form body (a token request's client secret, code or refresh
/// token), in a buffer wiped when the request is done.
pub fn with_form(
    request: reqwest::RequestBuilder,
    pairs: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    request
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(wiped_on_drop(form(pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_once_into_a_buffer_of_its_own_size() {
        #[derive(Serialize)]
        struct Body<'a> {
            login: &'a str,
            password: &'a str,
        }
        let body = Body {
            login: "CORP\\alice",
            password: "p\"å\u{1}ss",
        };
        let buffer = json(&body).unwrap();
        assert_eq!(buffer.as_slice(), serde_json::to_vec(&body).unwrap());
        // Sized before it was written: no growth left a copy of the password elsewhere.
        assert_eq!(buffer.capacity(), buffer.len());
    }

    #[test]
    fn a_form_never_outgrows_its_buffer_and_reads_back_as_sent() {
        let pairs = [
            ("grant_type", "refresh_token"),
            ("refresh_token", "0.A&b=c %2F ünï/+"),
        ];
        let buffer = form(&pairs);
        let bound: usize = pairs.iter().map(|(n, v)| 3 * (n.len() + v.len()) + 2).sum();
        assert!(buffer.capacity() <= bound);
        let read: Vec<(String, String)> =
            url::form_urlencoded::parse(&buffer).into_owned().collect();
        assert_eq!(
            read,
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_body_reqwest_holds_is_the_buffer_itself() {
        let buffer = form(&[("client_secret", "s3cret")]);
        let address = buffer.as_ptr();
        let body = wiped_on_drop(buffer);
        // No copy was made: reqwest sends (and drops, wiping) our buffer.
        assert_eq!(body.as_ptr(), address);
        let retry = body.clone();
        assert_eq!(retry.as_ptr(), address);
    }
}
