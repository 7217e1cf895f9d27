import ServiceLifecycle

/// Runs `work` every `interval` until a graceful shutdown (or cancellation), and once more when it comes:
/// the flush loops of usage, shadow comparisons and captures, whose last run writes what a stop would lose.
func everyInterval(_ interval: Duration, _ work: () async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        await work()
    }
}
