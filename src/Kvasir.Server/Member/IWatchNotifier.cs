using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Member;

/// <summary>
/// Where the applier hands every write's events (the watch hub). Called on the applier thread, in
/// revision order, once per write transaction that produced events; it never blocks.
/// </summary>
public interface IWatchNotifier
{
    /// <summary>The events of the write transaction that made <paramref name="revision"/>, in order.</summary>
    void Notify(IReadOnlyList<Event> events, long revision);
}
