namespace Kvasir.Raft;

/// <summary>The severity of a line Raft logs through <see cref="IRaftLogger"/>.</summary>
public enum RaftLogLevel
{
    /// <summary>Per-message detail (rejections, probes). Never on by default: it is per message.</summary>
    Debug = 0,

    /// <summary>Role changes, elections, configuration changes.</summary>
    Info = 1,

    /// <summary>Something unexpected that Raft survives (a dropped proposal, a refused conf change).</summary>
    Warning = 2,

    /// <summary>A peer broke the protocol; the message was ignored.</summary>
    Error = 3,
}
