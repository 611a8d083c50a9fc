using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Member;

/// <summary>The watch notifier a member uses until the watch hub is wired in: events go nowhere.</summary>
public sealed class NullWatchNotifier : IWatchNotifier
{
    public static NullWatchNotifier Instance { get; } = new();

    public void Notify(IReadOnlyList<Event> events, long revision)
    {
    }
}
