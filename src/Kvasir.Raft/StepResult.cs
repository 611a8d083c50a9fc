namespace Kvasir.Raft;

/// <summary>
/// What <see cref="RawNode.Step"/> did with a message from a peer. Anything but <see cref="Ok"/>
/// means the message was refused and changed nothing.
/// </summary>
public enum StepResult
{
    /// <summary>The message was processed (which includes ignoring a stale one, as Raft does).</summary>
    Ok = 0,

    /// <summary>The type is local to a node (MsgHup, MsgBeat, ...) and never comes from the network.</summary>
    LocalMessageType = 1,

    /// <summary>A response from a node that is not in the configuration.</summary>
    UnknownPeer = 2,

    /// <summary>The message is addressed to another node.</summary>
    WrongRecipient = 3,

    /// <summary>
    /// The message breaks the protocol's shape: no sender, entries that do not follow one another,
    /// a snapshot without metadata, and the like. Such a message comes from a bug or corruption.
    /// </summary>
    Malformed = 4,
}
