//! A mock for testing code that calls a generated SDK: a test states each operation's answers
//! as typed values (outputs and modeled errors, in order or chosen by the request), runs the
//! code under test against a client made from the [`Mock`], then inspects the requests it made.
//! No network, no wire JSON, no headers.
//!
//! The cargo feature `testing` compiles it in (generated crates pass it through). A generated
//! crate adds one marker type per operation (implementing [`MockOperation`]) in its own
//! `testing` module, and `Client::from_mock`.
//!
//! How a call is answered: the request is serialized first (so a request the SDK would refuse,
//! such as one with an empty required label, is refused as it would be in production). Then the
//! rules of that operation are tried in the order they were added; the first whose matcher (if
//! it has one) accepts the request and that has an answer left answers it. Each answer answers
//! once, in order, unless [`Rule::repeatedly`] makes the last one answer every later call. A
//! mocked call is answered at once: no retries, no timeouts, no signing, no credentials. A call
//! that no rule answers fails with a [`Construction`](crate::error::Error::Construction) error
//! that names the operation and shows the request, and [`Mock::verify`] reports it.
//!
//! ```
//! use lambda_sdk_runtime::testing::{Mock, MockOperation};
//! # use lambda_sdk_runtime::error::{ModeledError, OperationError, Unhandled};
//! # #[derive(Debug)] struct PingError(Unhandled);
//! # impl std::fmt::Display for PingError {
//! #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
//! # }
//! # impl std::error::Error for PingError {}
//! # impl OperationError for PingError {
//! #     fn code(&self) -> &str { self.0.code() }
//! #     fn message(&self) -> Option<&str> { self.0.message() }
//! #     fn modeled(&self) -> Option<ModeledError> { None }
//! # }
//! // What a generated crate provides for each operation (here written by hand).
//! struct Ping;
//! impl MockOperation for Ping {
//!     const NAME: &'static str = "Ping";
//!     type Input = String;
//!     type Output = usize;
//!     type Error = PingError;
//! }
//!
//! let mock = Mock::new();
//! mock.on::<Ping>()
//!     .match_requests(|request| request.starts_with("hello"))
//!     .then_output(|request| request.len())
//!     .repeatedly();
//! // `Client::from_mock(&mock)` of a generated crate sends every call through the mock:
//! // `client.ping("hello world".into()).await` answers Ok(11).
//! # let answer = mock.answer::<String, usize, PingError>("Ping", &"hello world".to_string());
//! # assert_eq!(answer.map(|(n, _)| n).ok(), Some(11));
//! assert_eq!(mock.requests::<Ping>(), ["hello world"]);
//! assert!(mock.verify().is_ok());
//! ```

use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{ConstructionError, Error, ErrorMetadata, OperationError};
use crate::http::ResponseMetadata;

/// The request id of every mocked response and error.
pub const MOCK_REQUEST_ID: &str = "mock-request-id";

/// An operation a [`Mock`] can answer. Generated crates implement it for one marker type per
/// operation, in their `testing` module.
pub trait MockOperation: 'static {
    /// The operation's name in the model, e.g. `GetDurableExecutionState`.
    const NAME: &'static str;
    /// The operation's request.
    type Input: Clone + fmt::Debug + Send + Sync + 'static;
    /// The operation's response.
    type Output: Send + 'static;
    /// The operation's error.
    type Error: OperationError;
}

/// Canned answers for a client's operations, and the record of the requests it was sent.
/// Clones share the same rules and record.
#[derive(Clone, Default)]
pub struct Mock {
    inner: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    rules: Vec<RuleEntry>,
    calls: Vec<Call>,
}

struct RuleEntry {
    operation: &'static str,
    /// The [`Shared`] state of the rule, of the operation's types.
    state: Box<dyn Any + Send + Sync>,
    /// What [`Mock::verify`] checks: answers used up, as declared.
    check: Box<dyn Fn() -> Option<String> + Send + Sync>,
}

struct Call {
    operation: &'static str,
    /// The request, as the operation's `Input` type.
    input: Box<dyn Any + Send + Sync>,
    /// `Some(the request's Debug text)` when no rule answered it.
    unanswered: Option<String>,
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Mock")
            .field(
                "rules",
                &state.rules.iter().map(|r| r.operation).collect::<Vec<_>>(),
            )
            .field(
                "calls",
                &state.calls.iter().map(|c| c.operation).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Mock {
    /// A mock with no rules: every call fails until rules are added with [`Mock::on`].
    pub fn new() -> Self {
        Mock::default()
    }

    /// Adds a rule for operation `O` and returns it, to state its matcher and answers. Rules
    /// are tried in the order they were added.
    pub fn on<O: MockOperation>(&self) -> Rule<O> {
        let state: SharedOf<O> = Arc::new(Mutex::new(RuleState::default()));
        let checked = Arc::clone(&state);
        self.state().rules.push(RuleEntry {
            operation: O::NAME,
            state: Box::new(Arc::clone(&state)),
            check: Box::new(move || lock(&checked).unused(O::NAME)),
        });
        Rule { state }
    }

    /// The requests of operation `O` the client was sent, in order (answered or not).
    pub fn requests<O: MockOperation>(&self) -> Vec<O::Input> {
        self.state()
            .calls
            .iter()
            .filter(|c| c.operation == O::NAME)
            .filter_map(|c| c.input.downcast_ref::<O::Input>().cloned())
            .collect()
    }

    /// The operations called, by name, in order.
    pub fn calls(&self) -> Vec<&'static str> {
        self.state().calls.iter().map(|c| c.operation).collect()
    }

    /// Checks that every call was answered and every rule gave all its answers (a rule made
    /// [`repeatedly`](Rule::repeatedly) must have answered at least once).
    ///
    /// # Errors
    /// A [`MockError`] listing each unanswered call and each rule with answers left.
    pub fn verify(&self) -> Result<(), MockError> {
        let state = self.state();
        let mut problems: Vec<String> = state
            .calls
            .iter()
            .filter_map(|c| {
                c.unanswered
                    .as_ref()
                    .map(|request| format!("no rule answered {}: {request}", c.operation))
            })
            .collect();
        problems.extend(state.rules.iter().filter_map(|r| (r.check)()));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(MockError { problems })
        }
    }

    /// Answers one call (generated code calls this through the client).
    #[doc(hidden)]
    pub fn answer<I, O, E>(
        &self,
        operation: &'static str,
        input: &I,
    ) -> Result<(O, ResponseMetadata), Error<E>>
    where
        I: Clone + fmt::Debug + Send + Sync + 'static,
        O: Send + 'static,
        E: OperationError,
    {
        // The candidate rules, taken under the mock's lock; matchers and answers run without
        // it, so they may look at the mock themselves.
        let candidates: Vec<Shared<I, O, E>> = self
            .state()
            .rules
            .iter()
            .filter(|r| r.operation == operation)
            .filter_map(|r| r.state.downcast_ref::<Shared<I, O, E>>().cloned())
            .collect();
        let answer = candidates.iter().find_map(|rule| lock(rule).take(input));
        self.state().calls.push(Call {
            operation,
            input: Box::new(input.clone()),
            unanswered: answer.is_none().then(|| format!("{input:?}")),
        });
        let Some(answer) = answer else {
            return Err(Error::Construction(ConstructionError::other(format!(
                "mock: no rule answers this {operation} request ({} rules for {operation}, none \
                 with an answer left whose matcher accepts it): {input:?}",
                candidates.len()
            ))));
        };
        let meta = ResponseMetadata::new(200, Some(MOCK_REQUEST_ID.to_string()));
        match &*answer {
            Answer::Output(f) => Ok((f(input), meta)),
            Answer::Error(f) => {
                let error = f(input);
                let status = error.modeled().map_or(500, |m| m.status);
                let meta = ErrorMetadata::new(
                    status,
                    Some(error.code().to_string()),
                    error.message().map(String::from),
                    Some(MOCK_REQUEST_ID.to_string()),
                );
                Err(Error::service(error, meta))
            }
            Answer::Result(f) => f(input).map(|output| (output, meta)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner)
    }
}

/// A mutex whose holder panicked (a test assertion inside an answer) still holds valid data.
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The connector of [`Config::mocked`](crate::config::Config::mocked): the mock answers every
/// call, so nothing is ever sent through it.
#[derive(Debug)]
pub(crate) struct NoNetwork;

impl crate::http::HttpConnector for NoNetwork {
    fn send(
        &self,
        _request: http::Request<bytes::Bytes>,
    ) -> crate::future::BoxFuture<'_, Result<http::Response<bytes::Bytes>, crate::http::HttpError>>
    {
        Box::pin(async {
            Err(crate::http::HttpError::new(
                crate::http::HttpErrorKind::Connect,
                "a mocked client sends no requests",
            ))
        })
    }
}

/// What [`Mock::verify`] found: unanswered calls and unused answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockError {
    problems: Vec<String>,
}

impl MockError {
    /// One line per problem.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the mock was not used as stated: {}",
            self.problems.join("; ")
        )
    }
}

impl std::error::Error for MockError {}

/// A function of the request: a matcher or an answer.
type OfRequest<I, T> = Box<dyn Fn(&I) -> T + Send + Sync>;

/// A rule's state, shared by the mock and the [`Rule`] handle.
type Shared<I, O, E> = Arc<Mutex<RuleState<I, O, E>>>;

/// The rule state of operation `O`.
type SharedOf<O> =
    Shared<<O as MockOperation>::Input, <O as MockOperation>::Output, <O as MockOperation>::Error>;

/// One answer: computed from the request when the call comes.
enum Answer<I, O, E> {
    Output(OfRequest<I, O>),
    Error(OfRequest<I, E>),
    Result(OfRequest<I, Result<O, Error<E>>>),
}

struct RuleState<I, O, E> {
    matcher: Option<OfRequest<I, bool>>,
    answers: Vec<Arc<Answer<I, O, E>>>,
    /// Answers given so far.
    given: usize,
    repeat: bool,
}

impl<I, O, E> Default for RuleState<I, O, E> {
    fn default() -> Self {
        RuleState {
            matcher: None,
            answers: Vec::new(),
            given: 0,
            repeat: false,
        }
    }
}

impl<I, O, E> RuleState<I, O, E> {
    /// The answer for this request, if the rule takes it.
    fn take(&mut self, input: &I) -> Option<Arc<Answer<I, O, E>>> {
        let index = if self.given < self.answers.len() {
            self.given
        } else if self.repeat && !self.answers.is_empty() {
            self.answers.len() - 1
        } else {
            return None;
        };
        if let Some(matcher) = &self.matcher
            && !matcher(input)
        {
            return None;
        }
        self.given += 1;
        self.answers.get(index).cloned()
    }

    /// What [`Mock::verify`] reports about this rule, if anything.
    fn unused(&self, operation: &str) -> Option<String> {
        if self.answers.is_empty() {
            return Some(format!("a rule for {operation} has no answer"));
        }
        let owed = if self.repeat { 1 } else { self.answers.len() };
        (self.given < owed).then(|| {
            format!(
                "a rule for {operation} gave {} of its {} answers",
                self.given,
                self.answers.len()
            )
        })
    }
}

/// A rule for operation `O`, made by [`Mock::on`]: an optional matcher and a list of answers.
/// Its methods take and return it, to be chained; the rule is already part of the mock.
pub struct Rule<O: MockOperation> {
    state: SharedOf<O>,
}

impl<O: MockOperation> fmt::Debug for Rule<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Rule")
            .field("operation", &O::NAME)
            .field("answers", &state.answers.len())
            .field("given", &state.given)
            .field("repeat", &state.repeat)
            .finish()
    }
}

impl<O: MockOperation> Rule<O> {
    /// Answers only requests for which `matcher` returns `true`; other requests go on to the
    /// next rule.
    pub fn match_requests(
        self,
        matcher: impl Fn(&O::Input) -> bool + Send + Sync + 'static,
    ) -> Self {
        lock(&self.state).matcher = Some(Box::new(matcher));
        self
    }

    /// Adds an answer: the response `output` makes from the request.
    pub fn then_output(
        self,
        output: impl Fn(&O::Input) -> O::Output + Send + Sync + 'static,
    ) -> Self {
        self.push(Answer::Output(Box::new(output)))
    }

    /// Adds an answer: the service error `error` makes from the request, as
    /// [`Error::Service`] with the error's modeled HTTP status
    /// (500 for an unmodeled one) and request id [`MOCK_REQUEST_ID`].
    pub fn then_error(self, error: impl Fn(&O::Input) -> O::Error + Send + Sync + 'static) -> Self {
        self.push(Answer::Error(Box::new(error)))
    }

    /// Adds an answer: any result, for the cases other than a response or a service error (a
    /// transport error made with [`HttpError::new`](crate::http::HttpError::new), a
    /// [`ResponseError`](crate::error::ResponseError), …).
    pub fn then_result(
        self,
        result: impl Fn(&O::Input) -> Result<O::Output, Error<O::Error>> + Send + Sync + 'static,
    ) -> Self {
        self.push(Answer::Result(Box::new(result)))
    }

    /// The last answer answers every later call the rule takes, instead of only one.
    pub fn repeatedly(self) -> Self {
        lock(&self.state).repeat = true;
        self
    }

    /// How many calls this rule has answered.
    pub fn num_calls(&self) -> usize {
        lock(&self.state).given
    }

    fn push(self, answer: Answer<O::Input, O::Output, O::Error>) -> Self {
        lock(&self.state).answers.push(Arc::new(answer));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ModeledError, Unhandled};

    #[derive(Debug)]
    enum EchoError {
        Throttled,
        Unhandled(Unhandled),
    }

    impl fmt::Display for EchoError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.code())
        }
    }

    impl std::error::Error for EchoError {}

    impl OperationError for EchoError {
        fn code(&self) -> &str {
            match self {
                EchoError::Throttled => "TooManyRequestsException",
                EchoError::Unhandled(u) => u.code(),
            }
        }
        fn message(&self) -> Option<&str> {
            match self {
                EchoError::Throttled => Some("slow down"),
                EchoError::Unhandled(u) => u.message(),
            }
        }
        fn modeled(&self) -> Option<ModeledError> {
            match self {
                EchoError::Throttled => Some(ModeledError {
                    status: 429,
                    server_fault: false,
                    retryable: true,
                    throttling: true,
                }),
                EchoError::Unhandled(_) => None,
            }
        }
    }

    struct Echo;
    impl MockOperation for Echo {
        const NAME: &'static str = "Echo";
        type Input = String;
        type Output = String;
        type Error = EchoError;
    }

    struct Count;
    impl MockOperation for Count {
        const NAME: &'static str = "Count";
        type Input = u32;
        type Output = u32;
        type Error = EchoError;
    }

    fn echo(mock: &Mock, request: &str) -> Result<String, Error<EchoError>> {
        mock.answer::<String, String, EchoError>("Echo", &request.to_string())
            .map(|(output, _)| output)
    }

    #[test]
    fn answers_come_in_order_then_run_out() {
        let mock = Mock::new();
        let rule = mock
            .on::<Echo>()
            .then_output(|r| format!("one {r}"))
            .then_error(|_| EchoError::Throttled);
        assert_eq!(echo(&mock, "a").unwrap(), "one a");
        let err = echo(&mock, "b").unwrap_err();
        let Error::Service(service) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(service.status(), 429);
        assert_eq!(err.code(), Some("TooManyRequestsException"));
        assert_eq!(err.request_id(), Some(MOCK_REQUEST_ID));
        assert_eq!(rule.num_calls(), 2);
        // Used up: a third call is refused, names the operation and shows the request.
        let err = echo(&mock, "c").unwrap_err();
        assert!(matches!(err, Error::Construction(_)), "{err:?}");
        assert!(
            err.to_string().contains("Echo") && err.to_string().contains("\"c\""),
            "{err}"
        );
        assert_eq!(mock.requests::<Echo>(), ["a", "b", "c"]);
        let problems = mock.verify().unwrap_err();
        assert_eq!(problems.problems(), ["no rule answered Echo: \"c\""]);
    }

    #[test]
    fn matchers_choose_the_rule_and_repeated_answers_last() {
        let mock = Mock::new();
        let hello = mock
            .on::<Echo>()
            .match_requests(|r| r.starts_with("hello"))
            .then_output(|r| r.to_uppercase())
            .repeatedly();
        let other = mock.on::<Echo>().then_output(|_| "other".into());
        assert_eq!(echo(&mock, "hello you").unwrap(), "HELLO YOU");
        assert_eq!(echo(&mock, "bye").unwrap(), "other");
        assert_eq!(echo(&mock, "hello again").unwrap(), "HELLO AGAIN");
        assert_eq!((hello.num_calls(), other.num_calls()), (2, 1));
        assert!(mock.verify().is_ok());
    }

    #[test]
    fn operations_are_kept_apart_and_calls_recorded_in_order() {
        let mock = Mock::new();
        mock.on::<Count>().then_output(|n| n + 1).repeatedly();
        mock.on::<Echo>().then_output(|r| r.clone());
        assert_eq!(
            mock.answer::<u32, u32, EchoError>("Count", &1).unwrap().0,
            2
        );
        assert_eq!(echo(&mock, "x").unwrap(), "x");
        assert_eq!(
            mock.answer::<u32, u32, EchoError>("Count", &5).unwrap().0,
            6
        );
        assert_eq!(mock.calls(), ["Count", "Echo", "Count"]);
        assert_eq!(mock.requests::<Count>(), [1, 5]);
        assert_eq!(mock.requests::<Echo>(), ["x"]);
    }

    #[test]
    fn verify_reports_answers_left_and_rules_without_answers() {
        let mock = Mock::new();
        mock.on::<Echo>()
            .then_output(|_| "1".into())
            .then_output(|_| "2".into());
        mock.on::<Count>();
        echo(&mock, "a").unwrap();
        let err = mock.verify().unwrap_err();
        assert_eq!(
            err.problems(),
            [
                "a rule for Echo gave 1 of its 2 answers",
                "a rule for Count has no answer"
            ]
        );
        assert!(
            err.to_string()
                .starts_with("the mock was not used as stated: ")
        );
    }

    #[test]
    fn results_and_unmodeled_errors() {
        let mock = Mock::new();
        mock.on::<Echo>()
            .then_result(|_| Err(Error::Construction(ConstructionError::other("refused"))))
            .then_error(|_| {
                EchoError::Unhandled(Unhandled::new(ErrorMetadata::new(
                    418,
                    Some("Teapot".into()),
                    None,
                    None,
                )))
            });
        assert_eq!(
            echo(&mock, "a").unwrap_err().to_string(),
            "request not sent: refused"
        );
        let err = echo(&mock, "b").unwrap_err();
        let Error::Service(service) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((service.status(), err.code()), (500, Some("Teapot")));
    }

    /// A matcher or answer that looks at the mock itself does not deadlock.
    #[test]
    fn answers_may_inspect_the_mock() {
        let mock = Mock::new();
        let seen = mock.clone();
        mock.on::<Echo>()
            .match_requests(move |_| seen.calls().is_empty())
            .then_output(|r| r.clone())
            .repeatedly();
        assert!(echo(&mock, "first").is_ok());
        assert!(echo(&mock, "second").is_err());
    }
}
