namespace Kvasir.Raft;

// How a ConfChangeV2 moves through joint consensus.
public sealed partial class ConfChangeV2
{
    /// <summary>
    /// Whether the change goes through a joint configuration: when the transition asks for one,
    /// or when it changes more than one node (which a simple change cannot do safely).
    /// <paramref name="autoLeave"/> says whether Raft leaves the joint configuration by itself
    /// once it is applied (Auto and JointImplicit) or waits for an empty ConfChangeV2 (JointExplicit).
    /// </summary>
    public bool EnterJoint(out bool autoLeave)
    {
        autoLeave = false;
        if (Transition == ConfChangeTransition.Auto && Changes.Count <= 1)
        {
            return false;
        }

        autoLeave = Transition switch
        {
            ConfChangeTransition.Auto => true,
            ConfChangeTransition.JointImplicit => true,
            ConfChangeTransition.JointExplicit => false,
            _ => throw new ConfChangeException($"unknown conf change transition {(int)Transition}"),
        };
        return true;
    }

    /// <summary>Whether this is the empty change that leaves a joint configuration.</summary>
    public bool LeaveJoint() => Transition == ConfChangeTransition.Auto && Changes.Count == 0;
}
