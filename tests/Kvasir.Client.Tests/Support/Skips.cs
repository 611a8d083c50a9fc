namespace Kvasir.Client.Tests.Support;

/// <summary>Why a server kind's variant of the contracts is skipped today.</summary>
public static class Skips
{
    public const string KvasirNotServing =
        "kvasir does not serve the KV, Watch, Lease, Cluster, Maintenance and Auth services yet; the same test bodies run here once it does";
}
