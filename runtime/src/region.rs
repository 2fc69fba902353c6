//! The region requests are signed for and sent to: set when the configuration is built, or,
//! when nothing sets one, the EC2 instance's own region from instance metadata, fetched at the
//! first request (cargo feature `imds`).

#[cfg(feature = "imds")]
use std::sync::Arc;

use crate::settings::ConfigError;

/// Where a configuration's region comes from.
#[derive(Clone, Debug)]
pub(crate) enum Region {
    /// Set by the builder, the environment or the profile.
    Set(String),
    /// Fetched from instance metadata at the first request that needs it.
    #[cfg(feature = "imds")]
    FromImds(Arc<ImdsRegion>),
}

impl Region {
    /// The region, if it is known without asking instance metadata.
    pub(crate) fn known(&self) -> Option<&str> {
        match self {
            Region::Set(region) => Some(region),
            #[cfg(feature = "imds")]
            Region::FromImds(lookup) => lookup.region.get().map(String::as_str),
        }
    }

    /// The region, fetched from instance metadata the first time when that is where it comes
    /// from. A failed fetch is not kept: the next call tries again.
    ///
    /// # Errors
    /// When instance metadata does not answer with a region.
    pub(crate) async fn resolve(&self) -> Result<&str, ConfigError> {
        match self {
            Region::Set(region) => Ok(region),
            #[cfg(feature = "imds")]
            Region::FromImds(lookup) => match lookup.region.get() {
                Some(region) => Ok(region),
                None => lookup.fetch().await,
            },
        }
    }
}

/// The region of the EC2 instance the program runs on, fetched once.
#[cfg(feature = "imds")]
#[derive(Debug)]
pub(crate) struct ImdsRegion {
    imds: crate::imds::Imds,
    /// Where the configuration looked before (for the error message).
    looked_in: String,
    region: tokio::sync::OnceCell<String>,
    /// The last failed fetch and when it ended: callers that were waiting for it get its
    /// error instead of each trying again in turn.
    failure: std::sync::Mutex<Option<(std::time::Instant, ConfigError)>>,
}

#[cfg(feature = "imds")]
impl ImdsRegion {
    /// A lookup through `imds`; `looked_in` says where else a region was looked for.
    pub(crate) fn new(imds: crate::imds::Imds, looked_in: String) -> Self {
        ImdsRegion {
            imds,
            looked_in,
            region: tokio::sync::OnceCell::new(),
            failure: std::sync::Mutex::new(None),
        }
    }

    /// The region, fetched once. Behind a `dyn Future` made by a function that is never
    /// inlined, so that the fetch (an HTTP exchange: hyper, rustls) is compiled here once and
    /// not again into the generic request code of each crate that uses the client.
    #[inline(never)]
    fn fetch(&self) -> crate::future::BoxFuture<'_, Result<&str, ConfigError>> {
        Box::pin(self.resolve())
    }

    async fn resolve(&self) -> Result<&str, ConfigError> {
        let asked = std::time::Instant::now();
        let failure = || {
            self.failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let region = self
            .region
            .get_or_try_init(|| async {
                // A fetch that failed while this caller waited answers it too.
                if let Some((at, error)) = &*failure()
                    && *at >= asked
                {
                    return Err(error.clone());
                }
                match self.imds.region().await {
                    Ok(region) => {
                        tracing::debug!(region, "region from EC2 instance metadata");
                        Ok(region)
                    }
                    Err(e) => {
                        let error = ConfigError::new(format!(
                            "no AWS region configured; looked in {}, then asked {e}. Set \
                             AWS_REGION, or build the config with Config::builder().region(..)",
                            self.looked_in
                        ));
                        *failure() = Some((std::time::Instant::now(), error.clone()));
                        Err(error)
                    }
                }
            })
            .await?;
        Ok(region)
    }
}
