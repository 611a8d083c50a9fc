namespace Kvasir.Raft;

/// <summary>A logger that writes nothing: the default of <see cref="RaftConfig.Logger"/>.</summary>
public sealed class NullRaftLogger : IRaftLogger
{
    /// <summary>The one instance; the type has no state.</summary>
    public static readonly NullRaftLogger Instance = new();

    private NullRaftLogger()
    {
    }

    /// <inheritdoc/>
    public bool IsEnabled(RaftLogLevel level) => false;

    /// <inheritdoc/>
    public void Log(RaftLogLevel level, string message)
    {
    }
}
