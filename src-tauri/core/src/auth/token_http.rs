//! The HTTP client of the OAuth token requests: reqwest, with the reply read under the same
//! ceiling as every other reply (`crate::reply_body`). The `oauth2` crate's own reqwest client
//! reads a reply whole, however large.

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse};

use crate::reply_body::{self, ReplyError};

/// Token requests through a reqwest client (a cheap clone: it shares the pool), replies read
/// under [`reply_body::MAX_REPLY_BYTES`].
pub struct TokenHttp(pub reqwest::Client);

impl<'c> AsyncHttpClient<'c> for TokenHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            // The form carries a code, a refresh token or a client secret: reqwest gets it in a
            // buffer wiped when the request is done (`crate::secret_body`).
            let (parts, body) = request.into_parts();
            let body = crate::secret_body::wiped_on_drop(zeroize::Zeroizing::new(body));
            let request = oauth2::http::Request::from_parts(parts, body);
            let request: reqwest::Request = request.try_into().map_err(Box::new)?;
            let response = self.0.execute(request).await.map_err(Box::new)?;
            let mut reply = oauth2::http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                reply = reply.header(name, value);
            }
            let body = reply_body::read(response).await.map_err(|e| match e {
                ReplyError::Transport(e) => HttpClientError::Reqwest(Box::new(e)),
                too_large => {
                    HttpClientError::Other(too_large.into_app_error(reply_body::broke_off).message)
                }
            })?;
            reply.body(body).map_err(HttpClientError::Http)
        })
    }
}
