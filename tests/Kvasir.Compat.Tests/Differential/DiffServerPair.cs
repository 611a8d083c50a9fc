using Kvasir.Compat.Tests.Support;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// The pair the differential runs against: both send watchers that ask for it a progress
/// notification every 100 ms, which tells the test when each watcher has been given everything.
/// </summary>
public sealed class DiffServerPair : ServerPair
{
    protected override string[] KvasirArgs => ["--watch-progress-notify-interval=100ms"];

    protected override string[] EtcdArgs => ["--experimental-watch-progress-notify-interval=100ms"];
}
