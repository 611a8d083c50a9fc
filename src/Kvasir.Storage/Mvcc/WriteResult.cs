using Kvasir.Api.Mvccpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// What one applied write changed: the store revision after it, the events in revision order (a delete's
/// event carries only the key and its revision, as etcd's do) and the keys that moved between leases.
/// The events' KeyValue objects are shared with the store: nobody mutates them.
/// </summary>
public sealed class WriteResult
{
    internal static readonly IReadOnlyList<Event> NoEvents = [];
    internal static readonly IReadOnlyList<LeaseChange> NoLeaseChanges = [];

    internal WriteResult(long revision, IReadOnlyList<Event> events, IReadOnlyList<LeaseChange> leaseChanges)
    {
        Revision = revision;
        Events = events;
        LeaseChanges = leaseChanges;
    }

    /// <summary>The store revision after the write (unchanged when the write changed nothing).</summary>
    public long Revision { get; }

    public IReadOnlyList<Event> Events { get; }

    public IReadOnlyList<LeaseChange> LeaseChanges { get; }
}
