//! Replay HTTP clients: every request is answered with the same canned 200 response, with no
//! network. aws-sdk-lambda's deserializers are private, so deserialization is measured through
//! each SDK's pluggable HTTP client.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

/// lambda-sdk's replay connector (its runtime's `HttpConnector` trait).
#[derive(Debug, Clone)]
pub struct OursReplay {
    body: Bytes,
}

impl OursReplay {
    pub fn new(body: Bytes) -> Self {
        OursReplay { body }
    }
}

impl lambda_sdk::config::HttpConnector for OursReplay {
    fn send(
        &self,
        _request: http::Request<Bytes>,
    ) -> lambda_sdk::config::BoxFuture<
        '_,
        Result<http::Response<Bytes>, lambda_sdk_runtime::http::HttpError>,
    > {
        let mut response = http::Response::new(self.body.clone());
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        headers.insert(
            "x-amzn-requestid",
            http::HeaderValue::from_static(bench_server::REQUEST_ID),
        );
        Box::pin(std::future::ready(Ok(response)))
    }
}

/// aws-sdk-lambda's replay client (smithy's `HttpClient` and `HttpConnector` traits).
#[derive(Debug, Clone)]
pub struct OfficialReplay {
    body: Bytes,
}

impl OfficialReplay {
    pub fn new(body: Bytes) -> Self {
        OfficialReplay { body }
    }
}

impl HttpConnector for OfficialReplay {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        let status = match 200u16.try_into() {
            Ok(status) => status,
            Err(e) => {
                return HttpConnectorFuture::ready(Err(
                    aws_smithy_runtime_api::client::result::ConnectorError::other(
                        Box::new(e),
                        None,
                    ),
                ));
            }
        };
        let mut response =
            aws_smithy_runtime_api::http::Response::new(status, SdkBody::from(self.body.clone()));
        response
            .headers_mut()
            .insert("content-type", "application/json");
        response
            .headers_mut()
            .insert("x-amzn-requestid", bench_server::REQUEST_ID);
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for OfficialReplay {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
