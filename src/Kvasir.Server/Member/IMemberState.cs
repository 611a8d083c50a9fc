using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

/// <summary>
/// This member's identity and Raft position as responses report them. Read from any thread; the
/// values are the latest the Raft loop and the applier published.
/// </summary>
public interface IMemberState
{
    ulong ClusterId { get; }

    ulong MemberId { get; }

    /// <summary>The current Raft term.</summary>
    ulong Term { get; }

    /// <summary>The leader's member id, 0 when there is none.</summary>
    ulong LeaderId { get; }

    bool IsLeader { get; }

    /// <summary>The index of the last entry the applier applied.</summary>
    ulong AppliedIndex { get; }

    /// <summary>A response header: cluster id, member id, raft term and <paramref name="revision"/>.</summary>
    ResponseHeader Header(long revision);
}
