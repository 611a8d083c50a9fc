using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>Reading etcd's watch responses.</summary>
public static class WatchResponseExtensions
{
    /// <summary>
    /// True for a progress notification: no events, neither created nor canceled, and a header revision
    /// up to which every event of the watch has been delivered.
    /// </summary>
    public static bool IsProgressNotify(this WatchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Events.Count == 0 && !response.Created && !response.Canceled && response.CompactRevision == 0
            && response.Header is { Revision: not 0 };
    }
}
