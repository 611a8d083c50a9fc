using Kvasir.Api.Errors;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// The outcome of applying one request: etcd's response, or the etcd error it gets (then nothing changed
/// but the consistent index). <see cref="Events"/> and <see cref="LeaseChanges"/> are for the watch hub and
/// the lessor.
/// </summary>
public sealed class ApplyResult<TResponse>
    where TResponse : class
{
    internal ApplyResult(TResponse response, WriteResult write, Task? physical = null)
    {
        Response = response;
        Revision = write.Revision;
        Events = write.Events;
        LeaseChanges = write.LeaseChanges;
        Physical = physical ?? Task.CompletedTask;
    }

    internal ApplyResult(EtcdError error, long revision, Task? physical = null)
    {
        Error = error;
        Revision = revision;
        Events = WriteResult.NoEvents;
        LeaseChanges = WriteResult.NoLeaseChanges;
        Physical = physical ?? Task.CompletedTask;
    }

    /// <summary>The response, or null when <see cref="Error"/> is set.</summary>
    public TResponse? Response { get; }

    public EtcdError? Error { get; }

    public bool Ok => Error is null;

    /// <summary>The store revision after the request.</summary>
    public long Revision { get; }

    public IReadOnlyList<Event> Events { get; }

    public IReadOnlyList<LeaseChange> LeaseChanges { get; }

    /// <summary>
    /// For Compact: completes when the backend has physically dropped the compacted revisions (what a
    /// request with physical=true waits for); for an already-compacted revision, when compactions scheduled
    /// before it are done. Completed for every other request.
    /// </summary>
    public Task Physical { get; }
}
