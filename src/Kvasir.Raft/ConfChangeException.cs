namespace Kvasir.Raft;

/// <summary>
/// A configuration change that cannot apply to the configuration in force (it removes every
/// voter, changes two voters without joint consensus, leaves a joint configuration that is not
/// joint, ...). Thrown by ApplyConfChange and Bootstrap; the configuration is left unchanged.
/// </summary>
public sealed class ConfChangeException : InvalidOperationException
{
    public ConfChangeException(string message)
        : base(message)
    {
    }
}
