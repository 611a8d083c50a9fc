using Kvasir.Api.Mvccpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Events read from the store's history, in revision order, and the revision through which the history
/// was read completely (read again from <see cref="Through"/> + 1 to continue). A batch never splits the
/// events of one revision.
/// </summary>
public sealed class EventBatch(List<Event> events, long through)
{
    public List<Event> Events { get; } = events;

    public long Through { get; } = through;
}
