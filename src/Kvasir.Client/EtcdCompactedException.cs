using Kvasir.Api.Errors;
using Kvasir.Grpc;

namespace Kvasir.Client;

/// <summary>
/// The revision asked for is older than the store's compaction: a read at that revision, or a watch
/// that starts (or resumes) before it. The history between is gone; a watcher must re-read the
/// current state and watch again from there.
/// </summary>
public sealed class EtcdCompactedException : EtcdException
{
    public EtcdCompactedException(long compactRevision, string message, Exception? innerException = null)
        : base(StatusCode.OutOfRange, message, EtcdErrors.Compacted, innerException)
    {
        CompactRevision = compactRevision;
    }

    /// <summary>The store's compaction revision when the server said it (watches); 0 when it did not (reads).</summary>
    public long CompactRevision { get; }
}
