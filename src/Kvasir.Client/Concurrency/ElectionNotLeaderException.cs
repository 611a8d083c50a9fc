namespace Kvasir.Client.Concurrency;

/// <summary>A proclamation by a candidate that is not (or no longer) the leader of its election.</summary>
public sealed class ElectionNotLeaderException : InvalidOperationException
{
    public ElectionNotLeaderException(string message)
        : base(message)
    {
    }
}
