namespace Kvasir.Raft;

/// <summary>
/// Where Raft writes its log lines. Raft has no sink of its own: the host adapts this to its logging
/// (Microsoft.Extensions.Logging in the member). Raft asks <see cref="IsEnabled"/> before it builds a
/// line, so a disabled level costs no allocation. Calls come from the thread that drives the node.
/// </summary>
public interface IRaftLogger
{
    /// <summary>Whether lines of this level are written; false lets Raft skip formatting them.</summary>
    bool IsEnabled(RaftLogLevel level);

    /// <summary>Writes one line. The line does not end in a newline.</summary>
    void Log(RaftLogLevel level, string message);
}
