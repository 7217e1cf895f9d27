import SibylCore

/// Everything a node is told at start: where it listens, where it keeps data, and every limit, each with its
/// named default here and nowhere else.
public struct ServerConfiguration: Sendable {
    /// What "now" is for the node: the system's clock, or a manual one in tests.
    public var clock: WallClock = .system
    public var host = "127.0.0.1"
    /// 0 asks the system for a free port (tests).
    public var port = 8080
    /// Holds `sibyl.db` (unless `databaseURL` is set) and `models/`.
    public var dataDirectory = "./sibyl-data"
    /// A PostgreSQL database (`postgres://…`) that several nodes share; nil keeps the embedded SQLite file.
    public var databaseURL: String?
    /// With a shared database: how often a node reloads every API and deployment, whatever notifications it
    /// got. The worst-case delay of a change made through another node when its notification is lost.
    public var refreshIntervalMilliseconds = 5_000
    /// Proxies whose `X-Forwarded-For` is believed; none by default.
    public var trustedProxies: [CIDR] = []
    /// Largest prediction request body.
    public var maxPredictBodyBytes = 1 << 20
    /// Largest model upload.
    public var maxModelBytes = 256 << 20
    /// Largest management request body other than a model upload.
    public var maxManagementBodyBytes = 256 << 10
    /// Most rows in one prediction request.
    public var maxRowsPerRequest = 1_000
    /// How often in-memory usage counts are written to the database.
    public var usageFlushIntervalMilliseconds = 1_000
    /// How long a deploy key of Prediction One's developer API works after it is issued.
    public var deployKeyLifetimeSeconds: Int64 = 24 * 3600
    /// Predictions evaluated at once off the event loops, and how many more may wait before 503.
    public var evaluationConcurrency = 2
    public var evaluationQueueLength = 256
    /// Answered requests waiting for their shadow version, in requests and input cells: beyond, a request is
    /// not compared (counted as skipped), so a slow shadow holds neither memory nor answers.
    public var shadowQueueRequests = 1_024
    public var shadowQueueCells = 1 << 22
    /// The most of one core a node's shadow comparisons use (0.25: after comparing for a while, the thread rests
    /// three times as long). Measured on two cores: a shadow at full speed, even at the lowest priority, raised
    /// the median latency of 100-row answers by half; at a quarter, within noise.
    public var shadowCPUShare = 0.25
    /// Captured requests and answers held in memory until they are written (every usage flush): beyond, a
    /// capture is dropped and counted rather than held, so capturing cannot grow a node's memory.
    public var captureQueueBytes = 64 << 20
    /// Most bytes of an uploaded input profile (a CSV of training rows), and most values one is read into
    /// (deciles need them all at once): 64 MiB of floats.
    public var maxProfileBytes = 64 << 20
    public var profileCells = 1 << 24
    /// Most captured requests one drift report reads; it says when the period held more.
    public var driftCaptureLimit = 100_000
    /// How often a node refreshes the drift gauges of every capturing API with a profile (0: only when a
    /// report is asked for).
    public var driftRefreshMilliseconds = 300_000
    /// A prediction of at most this many rows × (trees + features) runs inline on the event loop (about
    /// 40 µs): a thread hop would cost more than the work. Larger ones go to the evaluation threads.
    public var inlineEvaluationBudget = 4_000
    /// Connections idle longer than this are closed (slow or dead clients hold no resources).
    public var idleTimeoutSeconds: Int64 = 60
    /// License settings applied at start when given (`--edition`, `--api-options`).
    public var edition: License.Edition?
    public var apiOptions: Int?
    /// The first admin's token and password; generated and printed once when absent.
    public var adminToken: String?
    public var adminPassword: String?
    /// bcrypt cost for passwords; tests lower it.
    public var bcryptCost: UInt8 = 12
    /// How long a console sign-in lasts.
    public var consoleSessionSeconds: Int64 = 12 * 3600
    /// Password sign-ins (console and `POST /api/v1/tokens`; see `LoginThrottle`): failures are remembered for
    /// the window. One name from one address has `loginFailureLimit` free failures, then waits before each
    /// further attempt: the base after the latest failure, doubling with each failure, up to the cap.
    public var loginFailureLimit = 5
    public var loginFailureWindowSeconds: Int64 = 15 * 60
    public var loginBackoffBaseSeconds: Int64 = 30
    public var loginBackoffCapSeconds: Int64 = 15 * 60
    /// Failures from one address (an IPv6 /64) over every name within the window: guessing at many users.
    public var loginAddressFailureLimit = 30
    /// Failures of one name from every address within the window, beyond which only addresses that signed
    /// this user in within `loginTrustedAddressSeconds` may try: guessing from many addresses at one user.
    public var loginNameFailureCeiling = 50
    public var loginTrustedAddressSeconds: Int64 = 30 * 24 * 3600
    /// How long an access token works after it is issued (`sibyl serve --token-lifetime-days`); the bootstrap
    /// admin token too.
    public var accessTokenLifetimeSeconds: Int64 = 30 * 24 * 3600

    /// Container engines by region (Docker Engine API: `unix:///path.sock` or `tcp://host:port`); region 1
    /// is the local one. Without any, deployments are refused.
    public var containerEngines: [Int: String] = [:]
    /// The sizes deployments may ask for.
    public var flavors = Flavor.defaults
    /// The key (32 bytes, base64) that seals registry passwords and secret values at rest; read from
    /// `secrets.key` in the data directory, made there at the first start, when not given.
    public var secretsKey: String?
    /// How long a request to a scaled-to-zero deployment is held while a replica starts.
    public var coldStartTimeoutSeconds = 60
    /// How long the gateway waits for a replica's answer.
    public var proxyTimeoutSeconds: Int64 = 300
    /// Largest answer of a replica collected before it is sent (unless the deployment streams).
    public var maxProxiedAnswerBytes = 64 << 20
    /// A listener of their own for deployments, on `host`: their answers then never share the console's
    /// origin. Nil serves them on the console's listener under `/inference/…`, sandboxed (no script runs).
    public var inferencePort: Int?
    /// The public URL of deployments, for the addresses answers give (behind a proxy or a wildcard DNS
    /// name); `{project}` and `{name}` in it are filled in, else the deployment's path follows it.
    public var inferenceURL: String?
    /// Registry hosts deployment images may come from (`docker.io` for Docker Hub); empty allows any.
    /// Images an operator put on the engine (`localhost/…`) are always allowed.
    public var allowedRegistries: [String] = []
    /// How often the supervisor looks at every deployment's replicas.
    public var supervisorIntervalMilliseconds = 250
    /// Requests held per deployment while none of its replicas is ready (a cold start); one more is
    /// refused at once with 503 `overloaded`.
    public var heldRequestsPerDeployment = 256
    /// Model uploads read and compiled at once by this node (each may take several times its file in
    /// memory); one more is refused at once with 503 `overloaded`.
    public var modelUploadConcurrency = 2

    /// Most values one prediction request may make the node hold: rows × the model's features (4 bytes
    /// each), whatever the body's size; a wide model gets fewer rows than `maxRowsPerRequest`. Also bounds
    /// an explanation's contributions (rows × classes × (features + 1)).
    public var maxCellsPerRequest = 4 << 20
    /// Most features an uploaded model may have (at most 2^20, the loaders' own bound). Models stored
    /// before a lower limit keep loading.
    public var maxModelFeatures = 65_536
    /// A request body may keep the node waiting this long for the client, plus one second for each
    /// `minBodyBytesPerSecond` bytes received; past that, 408 `request_timeout` and the connection closes.
    /// Time the node itself takes before reading more (back-pressure) does not count.
    public var bodyReadTimeoutSeconds: Int64 = 30
    public var minBodyBytesPerSecond = 16 << 10
    /// Connections open at once, per listener (the deployments' own has its own); beyond it the node stops accepting, and new ones wait in the listen
    /// backlog until one closes.
    public var maxConnections = 4_096
    /// Largest answer a prediction request may ask for (`/predict`, v2 `infer`, Prediction One), estimated from
    /// its rows, the outputs it names and the model's widths before anything is evaluated (413
    /// `answer_too_large` beyond): 32 times the largest body, and room for 1,000 rows of contributions of a
    /// 100-feature, 10-class model.
    public var maxAnswerBytes = 32 << 20

    public init() {}
}
