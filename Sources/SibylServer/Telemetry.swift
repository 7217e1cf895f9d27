import Hummingbird
import Logging
import Prometheus
import SibylApp
import SibylContract
import SibylHTTP

/// Request metrics and an access log. Labels and log fields are route templates, methods and statuses:
/// never a raw path with ids, never a header, never a body, so no key or token can reach them.
struct TelemetryMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let labels = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
            registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route)], buckets: Self.buckets)
                .record(ContinuousClock.now - start)
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

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`.
struct SystemRoutes {
    let platform: Platform
    let registry: PrometheusCollectorRegistry

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
