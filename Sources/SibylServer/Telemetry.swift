import Hummingbird
import Logging
import Prometheus
import SibylApp
import SibylContract
import SibylHTTP
import Synchronization

/// Request metrics and an access log. Labels and log fields are route templates, methods and statuses:
/// never a raw path with ids, never a header, never a body, so no key or token can reach them.
struct TelemetryMiddleware: RouterMiddleware {
    typealias Context = AppContext
    private let metrics: RequestMetrics

    init(registry: PrometheusCollectorRegistry) {
        metrics = RequestMetrics(registry: registry)
    }

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            metrics.counter(method: request.method.rawValue, route: route, status: status).increment()
            metrics.histogram(route: route).record(ContinuousClock.now - start)
            context.logger.info(
                "request", metadata: ["method": "\(request.method)", "route": "\(route)", "status": "\(status)"])
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        }
    }

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "sibyl", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "HTTP requests answered, by method, route template and status")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "sibyl", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time to answer an HTTP request, by route template")
    }

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]
}

/// The counter and histogram of each label set, made once: the registry builds a metric's name and
/// looks its labels up on every `make…` call, which cost every request about 3 µs (4 % of a one-row
/// prediction, measured with perf under `bench/compare.sh`'s load).
final class RequestMetrics: Sendable {
    private struct CounterLabels: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let registry: PrometheusCollectorRegistry
    private let counters = Mutex<[CounterLabels: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func counter(method: String, route: String, status: Int) -> Counter {
        let labels = CounterLabels(method: method, route: route, status: status)
        return counters.withLock { counters in
            if let counter = counters[labels] { return counter }
            let counter = registry.makeCounter(
                descriptor: TelemetryMiddleware.requests,
                labels: [("method", method), ("route", route), ("status", String(status))])
            counters[labels] = counter
            return counter
        }
    }

    func histogram(route: String) -> DurationHistogram {
        histograms.withLock { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: TelemetryMiddleware.duration, labels: [("route", route)], buckets: TelemetryMiddleware.buckets)
            histograms[route] = histogram
            return histogram
        }
    }
}

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`.
struct SystemRoutes {
    let platform: Platform
    let registry: PrometheusCollectorRegistry

    /// Captures this node dropped because its queue was full (`captureQueueBytes`): kept apart from the
    /// registry because the recorder counts them itself, on the request path, without a metrics lookup.
    static func droppedCaptures(_ platform: Platform) -> String {
        "# HELP sibyl_captures_dropped_total Captured requests dropped because this node's capture queue was full\n"
            + "# TYPE sibyl_captures_dropped_total counter\n"
            + "sibyl_captures_dropped_total \(platform.captures.dropped.load(ordering: .relaxed))\n"
    }

    func add(to router: Router<AppContext>) {
        router.get("healthz") { _, _ in JSONAnswer(.ok, ["status": "alive"]) }
        router.get("readyz") { _, _ in
            // Ready when the database answers: a node that cannot reach it should leave the balancer.
            try await platform.checkDatabase()
            return JSONAnswer(.ok, ["status": "ready"])
        }
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            buffer += Array((platform.drift.text() + Self.droppedCaptures(platform)).utf8)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
    }
}
